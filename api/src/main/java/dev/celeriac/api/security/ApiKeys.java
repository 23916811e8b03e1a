package dev.celeriac.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured API keys. Only their SHA-256 digests are kept, and a presented key is compared with every one in
 * constant time, so neither the keys nor their lengths leak through memory dumps or timing.
 */
public final class ApiKeys {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    /** What a key may do; each role includes the ones before it. */
    public enum Role {
        READ,
        SUBMIT,
        ADMIN
    }

    private record Entry(byte[] digest, Role role) {}

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads {@code key:role} entries; with none, generates an admin key and logs it once.
     *
     * @throws IllegalArgumentException if an entry is malformed (the message never contains the key)
     */
    public static ApiKeys of(List<String> configured) {
        var entries = new ArrayList<Entry>();
        for (int i = 0; i < configured.size(); i++) {
            String entry = configured.get(i).strip();
            int colon = entry.lastIndexOf(':');
            if (colon < 1 || colon == entry.length() - 1) {
                throw new IllegalArgumentException(
                        "celeriac.api.keys[" + i + "] must be key:role (role read, submit or admin)");
            }
            Role role;
            try {
                role = Role.valueOf(entry.substring(colon + 1).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "celeriac.api.keys[" + i + "] has an unknown role; use read, submit or admin");
            }
            String key = entry.substring(0, colon);
            if (key.length() < 16) {
                throw new IllegalArgumentException("celeriac.api.keys[" + i + "] is shorter than 16 characters");
            }
            entries.add(new Entry(digest(key), role));
        }
        if (entries.isEmpty()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            entries.add(new Entry(digest(generated), Role.ADMIN));
            log.warn(
                    "\n\nUsing generated admin API key: {}\n\nThis key is for development only: set celeriac.api.keys"
                            + " (or CELERIAC_API_KEYS) for production.\n",
                    generated);
        }
        return new ApiKeys(entries);
    }

    /** The role of a presented key, or empty if it is none of the configured keys. */
    public Optional<Role> roleOf(String presented) {
        byte[] candidate = digest(presented);
        Role found = null;
        for (Entry entry : entries) {
            // Every entry is compared, whether or not an earlier one matched.
            if (MessageDigest.isEqual(entry.digest(), candidate) && found == null) {
                found = entry.role();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
