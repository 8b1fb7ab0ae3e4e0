package dev.replicalifecycle.modelcheck;

/** An unreadable or invalid manifest; the message names the model and field. */
final class ManifestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
        super(message);
    }

    ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
