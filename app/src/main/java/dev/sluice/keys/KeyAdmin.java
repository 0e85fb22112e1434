package dev.sluice.keys;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.ApiKeyAuthenticator;
import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key admin API's work: checks a request, changes the {@link KeyStore}, puts the result in force in the
 * {@link ApiKeyAuthenticator} and writes one audit line per action. Everything runs on one thread of its own, so the
 * store's blocking calls never hold an event loop and this replica's changes never interleave. The same thread
 * polls the store's version every {@link #POLL} and rereads the keys when another replica changed them.
 */
public final class KeyAdmin implements AutoCloseable {
    /** Admin actions, one line each: action, key, who, request id, outcome. Never a secret. */
    public static final Logger AUDIT = LoggerFactory.getLogger("sluice.audit");
    private static final Logger LOG = LoggerFactory.getLogger(KeyAdmin.class);
    /** How often a replica checks for other replicas' changes: well inside the one second they must take. */
    static final Duration POLL = Duration.ofMillis(200);
    static final String PREFIX = "sk-sluice-";

    private final KeyStore store;
    private final ApiKeyAuthenticator authenticator;
    private final Supplier<String> masterKey;
    private final Supplier<Set<String>> fileKeyNames;
    private final ScheduledExecutorService executor;
    private final SecureRandom random = new SecureRandom();
    private long seenVersion = Long.MIN_VALUE;
    private boolean storeFailing;
    /** The keys put in force last, and the config file's key names they were checked against. */
    private List<AdminKey> applied = List.of();
    private Set<String> appliedFileNames = Set.of();

    /**
     * @param masterKey the master key in force now (a config reload may change it); null or empty: none, and the
     *     admin API refuses every call
     * @param fileKeyNames the config file's key names in force now, which an admin key may not take
     */
    public KeyAdmin(KeyStore store, ApiKeyAuthenticator authenticator, Supplier<String> masterKey,
            Supplier<Set<String>> fileKeyNames) {
        this.store = store;
        this.authenticator = authenticator;
        this.masterKey = masterKey;
        this.fileKeyNames = fileKeyNames;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-key-admin");
            t.setDaemon(true);
            return t;
        });
        try {
            executor.submit(this::poll).get(5, TimeUnit.SECONDS); // the keys are in force before the first request
        } catch (Exception e) {
            LOG.warn("admin keys: the first read of {} did not finish ({}); retrying in the background",
                    store.describe(), e.getClass().getSimpleName());
        }
        executor.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("admin keys: stored in {}", store.describe());
    }

    /** Whether {@code presented} is the master key: compared as SHA-256 digests, in constant time. */
    public boolean isMaster(String presented) {
        String master = masterKey.get();
        if (master == null || master.isEmpty() || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(master), sha256(presented));
    }

    public boolean hasMasterKey() {
        String master = masterKey.get();
        return master != null && !master.isEmpty();
    }

    /** Creates a key; the answer holds its secret, the one time it is shown. */
    public CompletableFuture<ObjectNode> create(JsonNode body, String requestId) {
        return run("create", body != null && body.get("name") != null ? body.get("name").asText() : null, requestId,
                () -> {
                    Instant now = Instant.now();
                    KeyRequests.Create c = KeyRequests.create(body, now);
                    if (fileKeyNames.get().contains(c.name())) {
                        throw conflict("a key named '" + c.name() + "' is defined in the config file");
                    }
                    String secret = newSecret();
                    AdminKey key = new AdminKey(c.name(), hex(sha256(secret)), null, null, c.models(), c.rpm(), c.tpm(),
                            c.expiresAt(), c.priority(), c.metadata(), now, null, hint(secret), c.budget());
                    if (!store.create(key)) {
                        throw conflict("a key named '" + c.name() + "' already exists");
                    }
                    refresh();
                    ObjectNode out = key.view(now);
                    out.put("secret", secret);
                    return out;
                });
    }

    /** Every admin key, without secrets or digests. */
    public CompletableFuture<ObjectNode> list(String requestId) {
        return run("list", null, requestId, () -> {
            Instant now = Instant.now();
            ObjectNode out = AdminKey.MAPPER.createObjectNode();
            out.put("object", "list");
            ArrayNode data = out.putArray("data");
            store.all().stream().sorted(Comparator.comparing(AdminKey::name)).forEach(k -> data.add(k.view(now)));
            return out;
        });
    }

    public CompletableFuture<ObjectNode> get(String name, String requestId) {
        return run("show", name, requestId, () -> find(name).view(Instant.now()));
    }

    /** Removes a key: its secrets stop working on this replica at once, on the others at their next poll. */
    public CompletableFuture<ObjectNode> revoke(String name, String requestId) {
        return run("revoke", name, requestId, () -> {
            KeyRequests.name(AdminKey.MAPPER.getNodeFactory().textNode(name));
            if (!store.delete(name)) {
                throw notFound(name);
            }
            refresh();
            ObjectNode out = AdminKey.MAPPER.createObjectNode();
            out.put("name", name);
            out.put("revoked", true);
            return out;
        });
    }

    /** A new secret; the old one keeps working for the grace period (24 h unless the body says otherwise). */
    public CompletableFuture<ObjectNode> rotate(String name, JsonNode body, String requestId) {
        return run("rotate", name, requestId, () -> {
            Duration grace = KeyRequests.grace(body);
            AdminKey before = find(name);
            Instant now = Instant.now();
            String secret = newSecret();
            AdminKey after = before.rotated(hex(sha256(secret)), hint(secret), now, now.plus(grace));
            if (!store.replace(after)) {
                throw notFound(name);
            }
            refresh();
            ObjectNode out = after.view(now);
            out.put("secret", secret);
            return out;
        });
    }

    /** Audits a call the controller refused before it got here (no key, or not the master key). */
    public void refused(String action, String name, String who, String requestId, int status) {
        audit(action, name, who, requestId, "refused " + status);
    }

    private AdminKey find(String name) {
        KeyRequests.name(AdminKey.MAPPER.getNodeFactory().textNode(name));
        return store.all().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(() -> notFound(name));
    }

    private interface Action {
        ObjectNode run();
    }

    private CompletableFuture<ObjectNode> run(String action, String name, String requestId, Action work) {
        CompletableFuture<ObjectNode> out = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                ObjectNode result = work.run();
                audit(action, name, "master", requestId, "ok");
                out.complete(result);
            } catch (GatewayException e) {
                audit(action, name, "master", requestId, "refused " + e.status());
                out.completeExceptionally(e);
            } catch (RuntimeException e) {
                LOG.warn("admin keys: {} failed on {}: {}", action, store.describe(), e.getClass().getSimpleName());
                audit(action, name, "master", requestId, "failed (" + e.getClass().getSimpleName() + ")");
                out.completeExceptionally(new GatewayException(ErrorKind.OVERLOADED, 503, "the key store ("
                        + (store instanceof RedisKeyStore ? "Redis" : "file") + ") failed; nothing was changed"
                        + " unless a later list shows it", null, null, Map.of("Retry-After", "1")));
            }
        });
        return out;
    }

    /** Names are checked against {@link KeyRequests#NAME} before they are logged, so a line cannot be forged. */
    private static void audit(String action, String name, String who, String requestId, String outcome) {
        String shown = name == null ? "-" : KeyRequests.NAME.matcher(name).matches() ? name : "(invalid name)";
        // kv: the same "name=value" text, and separate fields in the JSON log
        AUDIT.info("admin {} {} {} {} {}", kv("action", action), kv("key", shown), kv("by", who),
                kv("request_id", requestId == null ? "-" : requestId), kv("outcome", outcome));
    }

    private void poll() {
        try {
            long v = store.version();
            if (v != seenVersion) {
                seenVersion = v;
                apply(store.all());
            } else if (!fileKeyNames.get().equals(appliedFileNames)) {
                apply(applied); // a config reload changed the file's key names, which admin keys may not shadow
            }
            if (storeFailing) {
                LOG.info("admin keys: {} answers again", store.describe());
                storeFailing = false;
            }
        } catch (RuntimeException e) {
            if (!storeFailing) {
                LOG.warn("admin keys: cannot read {} ({}); the keys read last stay in force", store.describe(),
                        e.getClass().getSimpleName());
                storeFailing = true;
            }
        }
    }

    /** After this replica's own change: in force here at once, without waiting for the poll. */
    private void refresh() {
        seenVersion = store.version();
        apply(store.all());
    }

    private void apply(List<AdminKey> keys) {
        applied = List.copyOf(keys);
        appliedFileNames = Set.copyOf(fileKeyNames.get());
        Instant now = Instant.now();
        List<ApiKeyAuthenticator.Issued> issued = new ArrayList<>();
        for (AdminKey k : keys) {
            issued.addAll(k.issued(now));
        }
        authenticator.replaceIssued(issued);
    }

    /**
     * 32 random bytes, hex: 256 bits. With that much entropy a plain SHA-256 is a safe way to store the secret: no
     * guess list can reach it, so a slow password hash (bcrypt, Argon2) would add nothing but CPU on every request.
     */
    private String newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return PREFIX + HexFormat.of().formatHex(b);
    }

    /** The last four characters: enough to tell keys apart in a listing, 16 of the secret's 256 bits. */
    private static String hint(String secret) {
        return PREFIX + "..." + secret.substring(secret.length() - 4);
    }

    private static GatewayException conflict(String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, 409, message + " (names are unique; revoke it first or"
                + " pick another)", "name", "key_exists", Map.of("x-should-retry", "false"));
    }

    private static GatewayException notFound(String name) {
        return new GatewayException(ErrorKind.NOT_FOUND, 404, "no admin key named '" + name + "'", "name",
                "key_not_found", Map.of());
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        store.close();
    }
}
