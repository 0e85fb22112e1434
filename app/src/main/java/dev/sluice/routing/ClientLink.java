package dev.sluice.routing;

/**
 * The client's side of an exchange, as far as routing needs it: a way to hear that the client went away,
 * so the upstream request can be cancelled at once instead of generating tokens for nobody.
 */
public interface ClientLink {
    ClientLink NONE = r -> () -> {};

    /** Registers {@code onClose}; the returned handle unregisters it once the exchange is over. */
    Registration onClose(Runnable onClose);

    interface Registration {
        void remove();
    }
}
