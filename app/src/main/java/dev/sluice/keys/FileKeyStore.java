package dev.sluice.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin keys in one JSON file, for a single gateway without Redis. Each change rewrites the whole file to a temporary
 * file in the same directory and renames it over the old one, so a crash leaves the old file or the new one, never
 * half of one. The file holds digests, not secrets, but it is created readable by its owner only. With a null path
 * the keys live in memory and are gone at restart (no config file and no KEYS_FILE).
 */
public final class FileKeyStore implements KeyStore {
    private final Path file;
    private final Map<String, AdminKey> keys = new LinkedHashMap<>();

    /** Reads {@code file} when it exists; an unreadable or malformed file stops the start rather than lose keys. */
    public FileKeyStore(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            try {
                JsonNode root = AdminKey.MAPPER.readTree(Files.readAllBytes(file));
                for (JsonNode k : root.path("keys")) {
                    AdminKey key = AdminKey.fromJson(k);
                    keys.put(key.name(), key);
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the admin key file " + file + " cannot be read ("
                        + e.getClass().getSimpleName() + "); fix or move it, the gateway will not start without"
                        + " the keys it holds");
            }
        }
    }

    @Override
    public synchronized List<AdminKey> all() {
        return List.copyOf(keys.values());
    }

    @Override
    public synchronized boolean create(AdminKey key) {
        if (keys.containsKey(key.name())) {
            return false;
        }
        keys.put(key.name(), key);
        return saved(() -> keys.remove(key.name()));
    }

    @Override
    public synchronized boolean replace(AdminKey key) {
        AdminKey before = keys.get(key.name());
        if (before == null) {
            return false;
        }
        keys.put(key.name(), key);
        return saved(() -> keys.put(key.name(), before));
    }

    @Override
    public synchronized boolean delete(String name) {
        AdminKey before = keys.remove(name);
        if (before == null) {
            return false;
        }
        return saved(() -> keys.put(name, before));
    }

    @Override
    public long version() {
        return 0;
    }

    @Override
    public String describe() {
        return file == null ? "memory (no config file and no KEYS_FILE: keys are lost at restart)" : file.toString();
    }

    @Override
    public void close() {}

    /** Writes the file; on failure undoes the change in memory too, so memory never runs ahead of the disk. */
    private boolean saved(Runnable undo) {
        if (file == null) {
            return true;
        }
        ObjectNode root = AdminKey.MAPPER.createObjectNode();
        root.put("format", 1);
        ArrayNode list = root.putArray("keys");
        List<AdminKey> copy = new ArrayList<>(keys.values());
        copy.forEach(k -> list.add(k.toJson()));
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: it keeps the directory's defaults
            }
            Files.write(tmp, AdminKey.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            undo.run();
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that is what is reported
                }
            }
            throw new UncheckedIOException("the admin key file " + file + " cannot be written", e);
        }
    }
}
