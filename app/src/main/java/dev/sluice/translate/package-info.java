/**
 * Pure translators between a client's protocol and a backend's, named {@code {Client}To{Backend}{What}}: no I/O, no
 * clock, no knowledge of which runtime they write for beyond the {@link dev.sluice.translate.ChatTarget} options.
 * May use: {@code protocol}, {@code error}.
 */
package dev.sluice.translate;
