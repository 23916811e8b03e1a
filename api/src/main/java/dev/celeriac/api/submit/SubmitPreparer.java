package dev.celeriac.api.submit;

import dev.celeriac.api.internal.idempotency.IdempotencyStore;
import dev.celeriac.api.internal.ledger.TaskChange;
import dev.celeriac.api.internal.ledger.TaskProjection;
import dev.celeriac.api.internal.schedule.FireStore;
import dev.celeriac.api.problems.Problems;
import dev.celeriac.api.workers.WorkerRegistry;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.amqp.TaskPublisher;
import dev.celeriac.protocol.message.CodecLimits;
import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a submit request into what the {@link SubmitPipeline} records and publishes, refusing at once what a worker
 * would refuse later: a task name no worker registered, a bad queue name, arguments beyond the codec's limits, times
 * that make no sense. Used by {@code POST /api/v1/tasks} and by the scheduler, so that a schedule's task is checked
 * exactly as a submit is.
 */
public final class SubmitPreparer {

    private final TaskPublisher publisher;
    private final WorkerRegistry workers;
    private final CodecLimits limits;
    private final boolean allowUnknownTasks;
    private final JsonMapper json;
    private final Clock clock;

    public SubmitPreparer(
            TaskPublisher publisher,
            WorkerRegistry workers,
            CodecLimits limits,
            SubmitSettings settings,
            JsonMapper json,
            Clock clock) {
        this.publisher = publisher;
        this.workers = workers;
        this.limits = limits;
        this.allowUnknownTasks = settings.allowUnknownTasks();
        this.json = json;
        this.clock = clock;
    }

    /**
     * Validates a request and builds what to publish and record.
     *
     * @param id the task's id
     * @param where prefix of error details, e.g. "tasks[3]: " in a batch
     * @param claim the idempotency key it comes with, or {@code null}
     * @throws ErrorResponseException a 400 or 422 problem saying what is wrong with it
     */
    public SubmitPipeline.Submit prepare(SubmitRequest body, String id, String where, IdempotencyStore.Claim claim) {
        return build(body, id, where, claim, null, Registration.CHECKED);
    }

    /**
     * Builds the submit of a schedule's slot. Its request was validated when the schedule was defined; its task
     * name is not looked up again, so that a schedule defined before any worker registered its task still fires.
     */
    public SubmitPipeline.Submit prepareFire(SubmitRequest body, FireStore.Claim slot) {
        return build(body, slot.taskId(), "", null, slot, Registration.TRUSTED);
    }

    /** Whether a submit's task name must be one a worker registered. */
    private enum Registration {
        CHECKED,
        TRUSTED
    }

    private SubmitPipeline.Submit build(
            SubmitRequest body,
            String id,
            String where,
            IdempotencyStore.Claim claim,
            FireStore.Claim slot,
            Registration registration) {
        try {
            if (body.task() == null || body.task().isBlank()) {
                throw Problems.badRequest("'task' is required: the name of a registered task, e.g. demo.add");
            }
            check("task name", body.task());
            if (registration == Registration.CHECKED && !allowUnknownTasks && !workers.isRegistered(body.task())) {
                throw Problems.unknownTask("", body.task());
            }
            String queue = body.queue() == null ? TopologyNames.DEFAULT_QUEUE : body.queue();
            check("queue name", queue);
            if (body.countdown() != null && body.eta() != null) {
                throw Problems.invalid("give 'countdown' or 'eta', not both");
            }
            if (body.countdown() != null
                    && (!Double.isFinite(body.countdown())
                            || body.countdown() < 0
                            || body.countdown() > Duration.ofDays(365).toSeconds())) {
                throw Problems.invalid("'countdown' must be 0 to 31536000 seconds, was " + body.countdown());
            }
            // At the database's precision, so that the record answered is the record stored.
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            Instant eta = body.eta() == null ? null : time("eta", body.eta());
            if (body.countdown() != null) {
                eta = now.plusMillis(Math.round(body.countdown() * 1000));
            }
            Instant expires = expires(body.expires(), now);
            List<Object> args = body.args() == null ? List.of() : body.args();
            Map<String, Object> kwargs = body.kwargs() == null ? Map.of() : body.kwargs();
            JsonNode argsTree = json.valueToTree(args);
            JsonNode kwargsTree = json.valueToTree(kwargs);
            // What a worker would refuse is refused here, before anything is accepted.
            String refused = limits.argumentProblem("args", argsTree);
            if (refused == null) {
                refused = limits.argumentProblem("kwargs", kwargsTree);
            }
            if (refused != null) {
                throw Problems.invalid(refused);
            }
            TaskPublisher.Prepared prepared;
            try {
                SubmitOptions options = SubmitOptions.defaults()
                        .withQueue(queue)
                        .withPriority(body.priority())
                        .withEta(eta)
                        .withExpires(expires)
                        .withMaxRetries(body.maxRetries())
                        .withTaskId(id);
                prepared = publisher.prepare(new TaskRequest(body.task(), args, kwargs, options));
            } catch (IllegalArgumentException e) {
                throw Problems.invalid(e.getMessage());
            }
            var description = new TaskChange.Description(
                    body.task(), queue, argsTree.toString(), kwargsTree.toString(), null, id, eta, expires);
            return new SubmitPipeline.Submit(prepared, TaskProjection.submitted(id, description, now), claim, slot);
        } catch (ErrorResponseException e) {
            if (!where.isEmpty()) {
                var problem = e.getBody();
                problem.setDetail(where + problem.getDetail());
            }
            throw e;
        }
    }

    private static void check(String kind, String name) {
        String problem = NameRules.problem(kind, name);
        if (problem != null) {
            throw Problems.invalid(problem);
        }
    }

    /**
     * An ISO-8601 date-time with an offset (or {@code Z}).
     *
     * @param field the request's field it comes from, for the problem's detail
     * @throws ErrorResponseException a 422 problem if it is not one
     */
    public static Instant time(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException again) {
                throw Problems.invalid("'" + field + "' must be an ISO-8601 date-time with offset, was '" + text + "'");
            }
        }
    }

    private static Instant expires(Object expires, Instant now) {
        return switch (expires) {
            case null -> null;
            case Number seconds
            when seconds.doubleValue() > 0 && Double.isFinite(seconds.doubleValue()) ->
                now.plusMillis(Math.round(seconds.doubleValue() * 1000));
            case Number seconds ->
                throw Problems.invalid("'expires' in seconds must be positive and finite, was " + seconds);
            case String text -> time("expires", text);
            default -> throw Problems.invalid("'expires' must be an ISO-8601 date-time or a number of seconds");
        };
    }
}
