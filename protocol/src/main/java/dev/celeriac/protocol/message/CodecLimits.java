package dev.celeriac.protocol.message;

import java.util.ArrayDeque;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Limits that protect a decoder from hostile or broken messages. They are the one set of JSON limits of Celeriac: the
 * worker's codec enforces them when it reads a task, and the API and the Java client check a task's arguments against
 * them before they accept it, so that what a worker would refuse is refused at submit instead.
 *
 * @param maxBodyBytes largest body accepted, in bytes
 * @param maxNestingDepth deepest nesting of JSON arrays and objects accepted
 * @param maxStringLength longest JSON string accepted, in characters
 */
public record CodecLimits(int maxBodyBytes, int maxNestingDepth, int maxStringLength) {

    /** 10 MiB bodies, 64 levels of nesting, 5 million characters per string. */
    public static final CodecLimits DEFAULTS = new CodecLimits(10 * 1024 * 1024, 64, 5_000_000);

    public CodecLimits {
        if (maxBodyBytes <= 0 || maxNestingDepth <= 0 || maxStringLength <= 0) {
            throw new IllegalArgumentException(
                    "codec limits must be positive: " + maxBodyBytes + ", " + maxNestingDepth + ", " + maxStringLength);
        }
    }

    /**
     * How deep a task's positional and keyword arguments sit in its message body ({@code [args, kwargs, embed]}): the
     * body's own array is one level, the arguments' array or object the second.
     */
    public static final int ARGUMENTS_DEPTH = 2;

    /**
     * What in a task's arguments a worker would refuse, or {@code null} if nothing: nesting deeper than the limit,
     * a string longer than it, or a number that JSON cannot carry (NaN, an infinity, or a value too large for a
     * double, which Jackson reads as an infinity).
     *
     * @param name what the value is called in the message, e.g. {@code 'kwargs'}
     * @param arguments the arguments' array or object
     */
    public String argumentProblem(String name, JsonNode arguments) {
        var stack = new ArrayDeque<Visit>();
        stack.push(new Visit(arguments, ARGUMENTS_DEPTH, null, name));
        while (!stack.isEmpty()) {
            Visit visit = stack.pop();
            JsonNode node = visit.node();
            if (node.isContainer() && visit.depth() > maxNestingDepth) {
                String path = visit.path();
                return name + " is nested more than " + (maxNestingDepth - ARGUMENTS_DEPTH + 1)
                        + " levels deep, which a task's arguments may not be (at "
                        + (path.length() > 60 ? path.substring(0, 60) + "…" : path) + ")";
            }
            if (node.isString() && node.stringValue().length() > maxStringLength) {
                return visit.path() + " is a string of " + node.stringValue().length() + " characters; at most "
                        + maxStringLength + " are allowed";
            }
            if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
                return visit.path() + " is " + node.doubleValue()
                        + ": a number must be finite and fit in a double (JSON has no NaN or infinity)";
            }
            if (node.isBigDecimal() && !Double.isFinite(node.decimalValue().doubleValue())) {
                return visit.path() + " is " + node.decimalValue() + ": a number must fit in a double";
            }
            if (node.isArray()) {
                for (int i = node.size() - 1; i >= 0; i--) {
                    stack.push(new Visit(node.get(i), visit.depth() + 1, visit, i));
                }
            } else if (node.isObject()) {
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    stack.push(new Visit(field.getValue(), visit.depth() + 1, visit, field.getKey()));
                }
            }
        }
        return null;
    }

    /** A value met while walking arguments, with the way to it (spelled out only when it is refused). */
    private record Visit(JsonNode node, int depth, Visit parent, Object step) {
        String path() {
            if (parent == null) {
                return String.valueOf(step);
            }
            return parent.path() + (step instanceof Integer index ? "[" + index + "]" : "." + step);
        }
    }
}
