package dev.celeriac.protocol.control;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A remote control command as Celery's broadcast mailbox (kombu's pidbox) sends it on {@code celery.pidbox}:
 * {@code {"method": "ping", "arguments": {}, "destination": null, "pattern": null, "matcher": null, "ticket": "…",
 * "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "…"}}}. A command with a ticket wants replies,
 * each {@code {"<hostname>": reply}} published to {@code reply_to} with the ticket in a header.
 *
 * @param method the command, e.g. {@code ping}, {@code inspect}'s {@code active}, {@code revoke}
 * @param arguments its keyword arguments (an object, possibly empty)
 * @param destination the node names it is for, or {@code null} for every node
 * @param pattern a node-name pattern it is for (with {@code matcher}), or {@code null}
 * @param matcher how {@code pattern} matches: {@code glob} (the default) or {@code pcre}
 * @param ticket the reply ticket, or {@code null} when no reply is wanted
 * @param replyTo where replies go, or {@code null} when no reply is wanted
 */
public record ControlCommand(
        String method,
        JsonNode arguments,
        List<String> destination,
        String pattern,
        String matcher,
        String ticket,
        ReplyTo replyTo) {

    static final String METHOD = "method";
    static final String ARGUMENTS = "arguments";
    static final String DESTINATION = "destination";
    static final String PATTERN = "pattern";
    static final String MATCHER = "matcher";
    static final String TICKET = "ticket";
    static final String REPLY_TO = "reply_to";
    static final String EXCHANGE = "exchange";
    static final String ROUTING_KEY = "routing_key";

    /**
     * Where the replies to a command go.
     *
     * @param exchange the reply exchange ({@code reply.celery.pidbox})
     * @param routingKey the asking client's id, which routes to its reply queue
     */
    public record ReplyTo(String exchange, String routingKey) {}

    public ControlCommand {
        destination = destination == null ? null : List.copyOf(destination);
    }

    /** Whether the sender waits for replies. */
    public boolean wantsReply() {
        return ticket != null && replyTo != null;
    }

    /**
     * Whether the command is for the node of this name: every node when it names none, else the nodes its
     * destination lists or its pattern matches (kombu's {@code glob} or {@code pcre} matchers).
     */
    public boolean isFor(String hostname) {
        if (destination != null && !destination.isEmpty()) {
            return destination.contains(hostname);
        }
        if (pattern != null && matcher != null) {
            return matches(hostname);
        }
        return true;
    }

    private boolean matches(String hostname) {
        try {
            return switch (matcher) {
                case "pcre" -> Pattern.compile(pattern).matcher(hostname).find();
                case "glob" ->
                    Pattern.compile(globToRegex(pattern)).matcher(hostname).matches();
                default -> false;
            };
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** Python's {@code fnmatch} rules: {@code *}, {@code ?} and {@code [...]}; everything else literal. */
    static String globToRegex(String glob) {
        var regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        regex.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        regex.append('[')
                                .append(
                                        set.startsWith("!")
                                                ? "^" + Pattern.quote(set.substring(1))
                                                : Pattern.quote(set))
                                .append(']');
                        i = close;
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    /**
     * Reads a command.
     *
     * @throws MalformedMessageException if the body is not a control command
     */
    public static ControlCommand decode(JsonMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw new MalformedMessageException(
                    Reason.NOT_JSON, "control message is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || !root.path(METHOD).isString()) {
            throw new MalformedMessageException(Reason.WRONG_SHAPE, "control message names no method");
        }
        JsonNode arguments = root.path(ARGUMENTS);
        if (!arguments.isObject()) {
            arguments = mapper.createObjectNode();
        }
        List<String> destination = null;
        JsonNode names = root.path(DESTINATION);
        if (names.isArray()) {
            destination = new ArrayList<>();
            for (JsonNode name : names.values()) {
                destination.add(name.asString());
            }
        } else if (names.isString()) {
            destination = List.of(names.stringValue());
        }
        JsonNode reply = root.path(REPLY_TO);
        ReplyTo replyTo =
                reply.path(EXCHANGE).isString() && reply.path(ROUTING_KEY).isString()
                        ? new ReplyTo(
                                reply.path(EXCHANGE).stringValue(),
                                reply.path(ROUTING_KEY).stringValue())
                        : null;
        return new ControlCommand(
                root.path(METHOD).stringValue(),
                arguments,
                destination,
                text(root.path(PATTERN)),
                text(root.path(MATCHER)),
                text(root.path(TICKET)),
                replyTo);
    }

    /** Writes the command as kombu's mailbox sends it. */
    public byte[] encode(JsonMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put(METHOD, method);
        root.set(ARGUMENTS, arguments == null ? mapper.createObjectNode() : arguments);
        if (destination == null) {
            root.putNull(DESTINATION);
        } else {
            destination.forEach(root.putArray(DESTINATION)::add);
        }
        root.put(PATTERN, pattern);
        root.put(MATCHER, matcher);
        if (wantsReply()) {
            root.put(TICKET, ticket);
            root.putObject(REPLY_TO).put(EXCHANGE, replyTo.exchange()).put(ROUTING_KEY, replyTo.routingKey());
        }
        return mapper.writeValueAsBytes(root);
    }

    /** Writes one node's reply: {@code {"<hostname>": reply}}. */
    public static byte[] encodeReply(JsonMapper mapper, String hostname, Object reply) {
        ObjectNode root = mapper.createObjectNode();
        root.set(hostname, mapper.valueToTree(reply));
        return mapper.writeValueAsBytes(root);
    }

    private static String text(JsonNode node) {
        return node.isString() ? node.stringValue() : null;
    }
}
