package io.camelfs.tls;

/** TLS files that cannot be used: the message names the option and file, and never their content. */
public final class TlsSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TlsSetupException(String message) {
        super(message);
    }
}
