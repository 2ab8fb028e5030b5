package io.camelfs.tls;

import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * GlusterFS's auth.ssl-allow: which certificate subjects a brick serves. An entry is a common name ("web1") or a
 * whole distinguished name ("CN=web1,O=Example"), separated by ';' ("web1,web2" when all are common names);
 * "*" is every certificate the CA signed.
 */
public final class SubjectAllowList {
    private final List<String> entries;

    private SubjectAllowList(List<String> entries) {
        this.entries = entries;
    }

    public static SubjectAllowList parse(String option, String value) {
        List<String> out = new ArrayList<>();
        // distinguished names hold commas, so they are separated by ';'; plain common names may use ',' too
        for (String raw : value.split(value.contains("=") ? ";" : "[,;]")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.contains("=")) {
                try {
                    e = new X500Principal(e).getName(X500Principal.RFC2253);
                } catch (IllegalArgumentException ex) {
                    throw new TlsSetupException(option + ": '" + raw.trim() + "' is not a distinguished name");
                }
            }
            out.add(e);
        }
        if (out.isEmpty()) {
            throw new TlsSetupException(option + ": empty; use * for every certificate the CA signed");
        }
        return new SubjectAllowList(List.copyOf(out));
    }

    public boolean allows(X500Principal subject) {
        String dn = subject.getName(X500Principal.RFC2253);
        String cn = commonName(subject);
        for (String e : entries) {
            if (e.equals("*") || e.equals(dn) || e.equals(cn)) {
                return true;
            }
        }
        return false;
    }

    static String commonName(X500Principal subject) {
        try {
            for (Rdn r : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                if (r.getType().equalsIgnoreCase("CN")) {
                    return r.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            // a subject the JDK printed is well formed
        }
        return null;
    }

    @Override
    public String toString() {
        return String.join(";", entries);
    }
}
