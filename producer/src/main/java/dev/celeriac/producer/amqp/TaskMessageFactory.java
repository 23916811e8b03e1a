package dev.celeriac.producer.amqp;

import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.protocol.message.CodecLimits;
import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.names.MessageHeaders;
import dev.celeriac.protocol.names.NameRules;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds the protocol message of a task request. */
final class TaskMessageFactory {

    private final JsonMapper mapper;
    private final CodecLimits limits;
    private final String defaultQueue;
    private final String origin;

    TaskMessageFactory(JsonMapper mapper, CodecLimits limits, String defaultQueue, String origin) {
        this.mapper = mapper;
        this.limits = limits;
        this.defaultQueue = defaultQueue;
        this.origin = origin;
    }

    String queueOf(TaskRequest request) {
        return request.options().queue() != null ? request.options().queue() : defaultQueue;
    }

    TaskMessage build(TaskRequest request, Instant now) {
        String problem = NameRules.problem("task name", request.task());
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": '" + request.task() + "'");
        }
        SubmitOptions options = request.options();
        Instant eta = options.eta();
        if (eta == null && options.countdown() != null && !options.countdown().isZero()) {
            eta = now.plus(options.countdown());
        }
        if (options.expires() != null && !options.expires().isAfter(now)) {
            throw new IllegalArgumentException("expires " + options.expires() + " is not in the future");
        }
        if (options.expires() != null && eta != null && !options.expires().isAfter(eta)) {
            throw new IllegalArgumentException(
                    "expires " + options.expires() + " is not after the eta " + eta + ": the task could never run");
        }
        String id =
                options.taskId() != null ? options.taskId() : UUID.randomUUID().toString();
        ArrayNode args = request.argsJson(mapper);
        ObjectNode kwargs = request.kwargsJson(mapper);
        // What a worker's codec would refuse is refused here, before the task is sent.
        String refused = limits.argumentProblem("args", args);
        if (refused == null) {
            refused = limits.argumentProblem("kwargs", kwargs);
        }
        if (refused != null) {
            throw new IllegalArgumentException(
                    "the arguments of task '" + request.task() + "' cannot be sent: " + refused);
        }
        TaskHeaders headers = TaskHeaders.builder(request.task(), id)
                .rootId(options.rootId() != null ? options.rootId() : id)
                .parentId(options.parentId())
                .eta(eta)
                .expires(options.expires())
                .timeLimit(options.timeLimit())
                .argsrepr(TaskHeaders.repr(args))
                .kwargsrepr(TaskHeaders.repr(kwargs))
                .origin(origin)
                .ignoreResult(options.ignoreResult())
                .extra(
                        options.maxRetries() == null
                                ? Map.of()
                                : Map.of(MessageHeaders.MAX_RETRIES, options.maxRetries()))
                .build();
        TaskProperties properties =
                TaskProperties.forTask(id).withReplyTo(options.replyTo()).withPriority(options.priority());
        return new TaskMessage(properties, headers, new TaskBody(args, kwargs, null));
    }
}
