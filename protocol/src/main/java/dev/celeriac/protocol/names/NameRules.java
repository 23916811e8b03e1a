package dev.celeriac.protocol.names;

import java.util.regex.Pattern;

/**
 * Rules for task and queue names. They keep names safe to use as AMQP routing keys, queue names, metric tags and
 * log fields: no {@code amq.} prefix (reserved by RabbitMQ), no wildcards, no whitespace or control characters.
 */
public final class NameRules {

    /** Longest task or queue name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:\\-]*");

    private NameRules() {}

    /**
     * Returns why the name is not a valid task or queue name, or {@code null} when it is.
     *
     * @param kind what the name is, for the message ("task name", "queue name")
     * @param name the name to check
     */
    public static String problem(String kind, String name) {
        if (name == null || name.isEmpty()) {
            return kind + " must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return kind + " is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed";
        }
        if (name.startsWith("amq.")) {
            return kind + " must not start with 'amq.', which RabbitMQ reserves";
        }
        if (!NAME.matcher(name).matches()) {
            return kind + " may contain only letters, digits and '_', '.', ':', '-', and must not start with '.', ':'"
                    + " or '-'";
        }
        return null;
    }

    /** Whether the name is a valid task or queue name. */
    public static boolean isValid(String name) {
        return problem("name", name) == null;
    }
}
