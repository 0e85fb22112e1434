/**
 * Client keys managed at run time through the key admin API ({@code /admin/keys}) and the {@code sluice keys}
 * command: the stored records, their store (Redis, or a local JSON file) and the service that validates, audits and
 * puts them in force in the authenticator. May use: {@code config}, {@code auth}, {@code error}.
 */
package dev.sluice.keys;
