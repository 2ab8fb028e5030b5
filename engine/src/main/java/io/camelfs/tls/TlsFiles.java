package io.camelfs.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The PEM files of one side of a mutual-TLS connection: its certificate (chain), its private key, and the CA
 * certificates it trusts. A client may lack a certificate; a brick then refuses it in the handshake.
 */
public record TlsFiles(Path cert, Path key, Path ca) {
    /** TLS 1.3 only: every JDK 17 peer speaks it, and it has no weak cipher suites to configure away. */
    public static final String PROTOCOL = "TLSv1.3";

    public static final TlsFiles DEFAULT = new TlsFiles(Path.of("/etc/ssl/camelfs.pem"),
            Path.of("/etc/ssl/camelfs.key"), Path.of("/etc/ssl/camelfs.ca"));

    /** Reads the files and builds the context; errors name the file, never what is in it. */
    public SSLContext context() {
        try {
            KeyManager[] keys = null;
            if (cert != null) {
                List<X509Certificate> chain = Pem.certificates("tls.cert", cert);
                PrivateKey k = Pem.privateKey("tls.key", key);
                char[] pass = "in-memory".toCharArray(); // the store never leaves this method
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("camelfs", k, pass, chain.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pass);
                keys = kmf.getKeyManagers();
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate c : Pem.certificates("tls.ca", ca)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance(PROTOCOL);
            ctx.init(keys, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("TLS files " + cert + ", " + key + ", " + ca + " do not make a usable"
                    + " identity: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            // the JDK rejects a key that does not match the certificate here
            throw new TlsSetupException("tls.key " + key + " does not belong to tls.cert " + cert + " ("
                    + e.getMessage() + ")");
        }
    }
}
