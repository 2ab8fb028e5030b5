package io.camelfs.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and keys in the PEM files openssl writes. Errors name the file and the option, never its content: a
 * key must not reach a log.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    private Pem() {
    }

    static List<X509Certificate> certificates(String option, Path file) {
        String text = read(option, file);
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(decode(option, file,
                            m.group(2)))));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException(option + " " + file + ": not a valid certificate (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new TlsSetupException(option + " " + file + ": no '-----BEGIN CERTIFICATE-----' block in it");
        }
        return out;
    }

    static PrivateKey privateKey(String option, Path file) {
        String text = read(option, file);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String kind = m.group(1);
            if (kind.equals("PRIVATE KEY")) {
                byte[] der = decode(option, file, m.group(2));
                for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
                    try {
                        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                    } catch (GeneralSecurityException e) {
                        // try the next algorithm
                    }
                }
                throw new TlsSetupException(option + " " + file + ": a private key of an algorithm camelfs cannot"
                        + " use (RSA, EC or Ed25519 expected)");
            }
            if (kind.endsWith("PRIVATE KEY")) {
                throw new TlsSetupException(option + " " + file + ": '" + kind + "' is not supported; convert it to"
                        + " an unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in " + file);
            }
        }
        throw new TlsSetupException(option + " " + file + ": no '-----BEGIN PRIVATE KEY-----' block in it");
    }

    private static String read(String option, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsSetupException(option + " " + file + ": cannot read it (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private static byte[] decode(String option, Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(option + " " + file + ": a PEM block that is not base64");
        }
    }
}
