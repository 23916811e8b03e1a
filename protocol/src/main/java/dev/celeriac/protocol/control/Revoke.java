package dev.celeriac.protocol.control;

import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.message.MalformedMessageException.Reason;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A revoke command, in Celery's remote control format:
 * {@code {"method": "revoke", "arguments": {"task_id": "…" or […], "terminate": false, "signal": "SIGTERM"}}}.
 *
 * @param taskIds tasks to revoke
 * @param terminate whether a running task is interrupted
 * @param signal the signal Celery would send to terminate it (informative on the JVM)
 * @param until how long a worker must remember the revocation (Celeriac's {@link #UNTIL_ARGUMENT}), or {@code null}
 *     for the worker's own retention: a task revoked for longer is announced again before then
 */
public record Revoke(List<String> taskIds, boolean terminate, String signal, Instant until) {

    public static final String METHOD = "revoke";
    /** Celery's {@code terminate} command: a revoke that also interrupts the running task. */
    public static final String TERMINATE_METHOD = "terminate";

    public Revoke {
        taskIds = List.copyOf(taskIds);
        if (taskIds.isEmpty()) {
            throw new IllegalArgumentException("a revoke names at least one task");
        }
    }

    /** A revoke for the worker's own retention. */
    public Revoke(List<String> taskIds, boolean terminate, String signal) {
        this(taskIds, terminate, signal, null);
    }

    /**
     * Argument Celeriac adds to a revoke on the revocation stream: until when workers must remember it (ISO-8601).
     * Celery workers ignore arguments they do not know.
     */
    public static final String UNTIL_ARGUMENT = "celeriac_until";

    /**
     * Argument Celeriac adds to a revoke it broadcasts after storing it on the revocation stream, so that Celeriac
     * workers do not store it again; Celery workers ignore arguments they do not know.
     */
    public static final String STORED_ARGUMENT = "celeriac_stored";

    /** Writes the command as Celery's remote control JSON. */
    public byte[] encode(JsonMapper mapper) {
        return write(mapper, false);
    }

    /** Writes the command as a broadcast to every worker, marked as already stored ({@link #STORED_ARGUMENT}). */
    public byte[] encodeBroadcast(JsonMapper mapper) {
        return write(mapper, true);
    }

    private byte[] write(JsonMapper mapper, boolean stored) {
        ObjectNode root = mapper.createObjectNode();
        root.put("method", METHOD);
        ObjectNode arguments = root.putObject("arguments");
        if (taskIds.size() == 1) {
            arguments.put("task_id", taskIds.getFirst());
        } else {
            taskIds.forEach(arguments.putArray("task_id")::add);
        }
        arguments.put("terminate", terminate);
        arguments.put("signal", signal == null ? "SIGTERM" : signal);
        if (stored) {
            arguments.put(STORED_ARGUMENT, true);
        }
        if (until != null) {
            arguments.put(UNTIL_ARGUMENT, until.toString());
        }
        root.putNull("destination");
        root.putNull("pattern");
        root.putNull("matcher");
        return mapper.writeValueAsBytes(root);
    }

    /**
     * Reads a revoke command.
     *
     * @throws MalformedMessageException if the body is not a revoke command
     */
    public static Revoke decode(JsonMapper mapper, byte[] body) {
        return of(ControlCommand.decode(mapper, body));
    }

    /**
     * The revoke a control command asks for ({@code revoke}, or {@code terminate}, which is a revoke that interrupts
     * a running task).
     *
     * @throws MalformedMessageException if the command is no revoke or names no task
     */
    public static Revoke of(ControlCommand command) {
        boolean terminateCommand = TERMINATE_METHOD.equals(command.method());
        if (!METHOD.equals(command.method()) && !terminateCommand) {
            throw new MalformedMessageException(Reason.WRONG_SHAPE, "control message is not a revoke command");
        }
        JsonNode arguments = command.arguments();
        JsonNode ids = arguments.path("task_id");
        var taskIds = new ArrayList<String>();
        if (ids.isString()) {
            taskIds.add(ids.stringValue());
        } else if (ids.isArray()) {
            ids.values().forEach(id -> taskIds.add(id.asString()));
        }
        if (taskIds.isEmpty()) {
            throw new MalformedMessageException(Reason.MISSING_HEADER, "revoke command names no task_id");
        }
        Instant until = null;
        if (arguments.path(UNTIL_ARGUMENT).isString()) {
            try {
                until = Instant.parse(arguments.path(UNTIL_ARGUMENT).stringValue());
            } catch (DateTimeParseException e) {
                throw new MalformedMessageException(
                        Reason.WRONG_SHAPE, "revoke command has a malformed " + UNTIL_ARGUMENT + ": " + e.getMessage());
            }
        }
        return new Revoke(
                taskIds,
                terminateCommand || arguments.path("terminate").asBoolean(false),
                arguments.path("signal").asString(null),
                until);
    }
}
