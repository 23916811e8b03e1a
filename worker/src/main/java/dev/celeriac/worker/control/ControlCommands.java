package dev.celeriac.worker.control;

import dev.celeriac.producer.TaskClient;
import dev.celeriac.protocol.control.ControlCommand;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.topology.QueueSpec;
import dev.celeriac.worker.ratelimit.RateLimit;
import dev.celeriac.worker.ratelimit.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The answers of a Celeriac worker to Celery's remote control commands, in the shapes a Celery worker gives them, so
 * that {@code celery inspect}, {@code celery control} and Flower read them unchanged. Tasks wait for their ETA in the
 * broker, not in the worker, so {@code scheduled} is always empty; a worker holds no more messages than it can start,
 * so {@code reserved} is too. Commands that reshape a Celery process pool ({@code pool_grow}, {@code autoscale}, …)
 * or stop the worker ({@code shutdown}) get an error reply: a Celeriac worker is sized by its configuration and
 * stopped by its supervisor.
 */
public final class ControlCommands {

    /** What the commands read of, and do to, the worker they run in. */
    public interface Node {
        /** The worker's node name. */
        String hostname();

        /** The software version. */
        String version();

        /** When the worker started. */
        Instant startedAt();

        /** Tasks running now. */
        List<ActiveTask> active();

        /** Tasks settled since start, by name. */
        Map<String, Long> totals();

        /** Names of the registered tasks. */
        Set<String> registered();

        /** The consumed queues with their pools. */
        List<PoolInfo> pools();

        /** The broker connection, without credentials. */
        Map<String, Object> broker();

        /** The Lamport clock. */
        long clock();

        /** Moves the Lamport clock past a value another node sent. */
        void clockSeen(long value);

        /** Whether task events are sent. */
        boolean taskEvents();

        /** Turns task events on or off; returns whether they were on. */
        boolean taskEvents(boolean enabled);

        /** Sends a heartbeat event now. */
        void heartbeat();
    }

    /**
     * A consumed queue and its pool.
     *
     * @param queue the queue, with the arguments it is declared with
     * @param pool the pool kind ({@code platform}, {@code virtual})
     * @param slots tasks the pool runs at once
     * @param busy slots in use now
     * @param prefetch messages the worker holds at most from the queue
     */
    public record PoolInfo(QueueSpec queue, String pool, int slots, int busy, int prefetch) {}

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);
    private static final String OK = "ok";
    private static final String ERROR = "error";

    private final Node node;
    private final Revocations revocations;
    private final RateLimiter limiter;
    private final Consumer<Revoke> persist;
    private final Clock clock;

    /**
     * @param persist publishes a revoke that was broadcast to every worker on the revocation stream, so that workers
     *     that start later honour it too
     */
    public ControlCommands(
            Node node, Revocations revocations, RateLimiter limiter, Consumer<Revoke> persist, Clock clock) {
        this.node = node;
        this.revocations = revocations;
        this.limiter = limiter;
        this.persist = persist;
        this.clock = clock;
    }

    /**
     * Publishes broadcast revokes on the revocation stream with the given client, off the control thread; a revoke
     * that cannot be published still holds on the running workers that heard it.
     */
    public static Consumer<Revoke> persistingWith(TaskClient client) {
        return revoke -> Thread.ofVirtual().name("celeriac-revoke").start(() -> {
            for (String id : revoke.taskIds()) {
                try {
                    client.revoke(id, revoke.terminate());
                } catch (RuntimeException e) {
                    log.warn("the revoke of task {} was not stored on the revocation stream: {}", id, e.toString());
                }
            }
        });
    }

    /** The node name of the worker these commands answer for. */
    public String hostname() {
        return node.hostname();
    }

    /** The worker's Lamport clock, as the replies carry it. */
    public long clock() {
        return node.clock();
    }

    /** Moves the worker's Lamport clock past one a command carried. */
    public void clockSeen(long value) {
        node.clockSeen(value);
    }

    /** The reply to a command addressed to this worker (any JSON value, or {@code null}). */
    public Object handle(ControlCommand command) {
        JsonNode arguments = command.arguments();
        return switch (command.method()) {
            case "ping" -> ok("pong");
            case "active", "dump_active" ->
                node.active().stream().map(this::info).toList();
            case "reserved", "dump_reserved", "scheduled", "dump_schedule" -> List.of();
            case "registered", "dump_tasks" -> new ArrayList<>(new TreeSet<>(node.registered()));
            case "revoked", "dump_revoked" -> List.copyOf(revocations.ids());
            case "stats" -> stats();
            case "active_queues" ->
                node.pools().stream().map(p -> queue(p.queue())).toList();
            case "query_task" -> queryTask(arguments);
            case "clock" -> Map.of("clock", node.clock());
            case "report" -> ok(report());
            case "conf" -> conf();
            case "enable_events" -> ok(node.taskEvents(true) ? "task events already enabled" : "task events enabled");
            case "disable_events" ->
                ok(node.taskEvents(false) ? "task events disabled" : "task events already disabled");
            case "heartbeat" -> {
                node.heartbeat();
                yield null;
            }
            case "hello" -> hello(arguments);
            case "rate_limit" -> rateLimit(arguments);
            case Revoke.METHOD, Revoke.TERMINATE_METHOD -> revoke(command);
            default -> error("command '" + command.method() + "' is not supported by Celeriac workers");
        };
    }

    private Object revoke(ControlCommand command) {
        Revoke revoke;
        try {
            revoke = Revoke.of(command);
        } catch (MalformedMessageException e) {
            return error(e.getMessage());
        }
        Set<String> running =
                Set.copyOf(node.active().stream().map(ActiveTask::id).toList());
        revoke.taskIds().forEach(id -> revocations.revoke(id, revoke.terminate(), revoke.until()));
        boolean stored = command.arguments().path(Revoke.STORED_ARGUMENT).asBoolean(false);
        if (command.destination() == null && command.pattern() == null && !stored) {
            persist.accept(revoke);
        }
        String ids = String.join(", ", revoke.taskIds());
        if (revoke.terminate()) {
            List<String> terminated =
                    revoke.taskIds().stream().filter(running::contains).toList();
            return ok(
                    terminated.isEmpty() ? "terminate: tasks unknown" : "terminate: " + String.join(", ", terminated));
        }
        return ok("tasks " + ids + " flagged as revoked");
    }

    private Map<String, Object> info(ActiveTask task) {
        var info = new LinkedHashMap<String, Object>();
        info.put("id", task.id());
        info.put("name", task.name());
        info.put("args", task.args());
        info.put("kwargs", task.kwargs());
        info.put("type", task.name());
        info.put("hostname", node.hostname());
        info.put("time_start", seconds(task.startedAt()));
        info.put("acknowledged", false); // acked last, after the outcome is confirmed
        var delivery = new LinkedHashMap<String, Object>();
        delivery.put("exchange", task.exchange() == null ? TopologyNames.TASK_EXCHANGE : task.exchange());
        delivery.put("routing_key", task.queue());
        delivery.put("priority", task.priority());
        delivery.put("redelivered", task.redelivered());
        info.put("delivery_info", delivery);
        info.put("worker_pid", ProcessHandle.current().pid());
        return info;
    }

    private Map<String, Object> queryTask(JsonNode arguments) {
        var wanted = new HashSet<String>();
        JsonNode ids = arguments.path("ids");
        if (ids.isString()) {
            wanted.add(ids.stringValue());
        } else {
            ids.values().forEach(id -> wanted.add(id.asString()));
        }
        var found = new LinkedHashMap<String, Object>();
        node.active().stream()
                .filter(task -> wanted.contains(task.id()))
                .forEach(task -> found.put(task.id(), List.of("active", info(task))));
        return found;
    }

    private Map<String, Object> stats() {
        var stats = new LinkedHashMap<String, Object>();
        stats.put("total", node.totals());
        stats.put("pid", ProcessHandle.current().pid());
        stats.put("clock", Long.toString(node.clock()));
        stats.put("uptime", Duration.between(node.startedAt(), clock.instant()).toSeconds());
        var pools = new LinkedHashMap<String, Object>();
        int slots = 0;
        int prefetch = 0;
        for (PoolInfo pool : node.pools()) {
            slots += pool.slots();
            prefetch += pool.prefetch();
            var one = new LinkedHashMap<String, Object>();
            one.put("pool", pool.pool());
            one.put("max-concurrency", pool.slots());
            one.put("busy", pool.busy());
            one.put("prefetch", pool.prefetch());
            pools.put(pool.queue().name(), one);
        }
        var pool = new LinkedHashMap<String, Object>();
        pool.put("implementation", "celeriac");
        pool.put("max-concurrency", slots);
        pool.put("queues", pools);
        stats.put("pool", pool);
        stats.put("broker", node.broker());
        stats.put("prefetch_count", prefetch);
        stats.put("rusage", ProcessUsage.now());
        stats.put("sw_ident", "celeriac");
        stats.put("sw_ver", node.version());
        return stats;
    }

    /** A queue as kombu's {@code Queue.as_dict()} describes it, the shape of {@code inspect active_queues}. */
    private static Map<String, Object> queue(QueueSpec spec) {
        var exchange = new LinkedHashMap<String, Object>();
        exchange.put("name", TopologyNames.TASK_EXCHANGE);
        exchange.put("type", "direct");
        exchange.put("arguments", null);
        exchange.put("durable", true);
        exchange.put("passive", false);
        exchange.put("auto_delete", false);
        exchange.put("delivery_mode", null);
        exchange.put("no_declare", false);
        var queue = new LinkedHashMap<String, Object>();
        queue.put("name", spec.name());
        queue.put("exchange", exchange);
        queue.put("routing_key", spec.name());
        queue.put("queue_arguments", spec.arguments());
        queue.put("binding_arguments", null);
        queue.put("consumer_arguments", null);
        queue.put("durable", true);
        queue.put("exclusive", false);
        queue.put("auto_delete", false);
        queue.put("no_ack", false);
        queue.put("alias", null);
        queue.put("bindings", List.of());
        queue.put("no_declare", null);
        queue.put("expires", null);
        queue.put("message_ttl", null);
        queue.put("max_length", spec.arguments().get("x-max-length"));
        queue.put("max_length_bytes", null);
        queue.put("max_priority", spec.arguments().get("x-max-priority"));
        return queue;
    }

    private Map<String, Object> conf() {
        var conf = new LinkedHashMap<String, Object>();
        conf.put("worker_hostname", node.hostname());
        conf.put("worker_send_task_events", node.taskEvents());
        conf.put("task_queues", node.pools().stream().map(p -> p.queue().name()).toList());
        conf.put("broker_url", brokerUrl());
        conf.put("sw_ident", "celeriac");
        conf.put("sw_ver", node.version());
        return conf;
    }

    private String brokerUrl() {
        Map<String, Object> broker = node.broker();
        return "amqp://" + broker.get("userid") + ":********@" + broker.get("hostname") + ":" + broker.get("port") + "/"
                + broker.get("virtual_host");
    }

    private String report() {
        return "\nsoftware -> celeriac:" + node.version() + " java:" + Runtime.version() + "\nplatform -> system:"
                + System.getProperty("os.name") + " arch:" + System.getProperty("os.arch") + " kernel version:"
                + System.getProperty("os.version") + " vm:" + System.getProperty("java.vm.name") + "\nsettings -> "
                + "transport:amqp results:rpc (reply_to)\n\nbroker_url: " + brokerUrl() + "\n";
    }

    /**
     * Celery workers greet each other when they start ({@code mingle}) and swap their revoked task ids: a Python
     * worker starting beside Celeriac workers learns theirs, and they take its.
     */
    private Object hello(JsonNode arguments) {
        if (node.hostname().equals(arguments.path("from_node").asString(""))) {
            return null;
        }
        for (var entry : arguments.path("revoked").properties()) {
            revocations.revoke(entry.getKey(), false);
        }
        var revoked = new TreeMap<String, Object>();
        revocations.all().forEach((id, revocation) -> revoked.put(id, seconds(revocation.at())));
        var reply = new LinkedHashMap<String, Object>();
        reply.put("revoked", revoked);
        reply.put("clock", node.clock());
        return reply;
    }

    /**
     * Celery's {@code rate_limit}: sets a task type's limit on this worker from now on ({@code task_name},
     * {@code rate_limit} in Celery's syntax; 0 or none lifts it). Answered as Celery answers it.
     */
    private Map<String, Object> rateLimit(JsonNode arguments) {
        String task = arguments.path("task_name").asString("");
        if (!node.registered().contains(task)) {
            return error("unknown task " + task);
        }
        JsonNode value = arguments.path("rate_limit");
        RateLimit limit;
        try {
            limit = value.isNull() || value.isMissingNode() ? RateLimit.NONE : RateLimit.parse(value.asString());
        } catch (IllegalArgumentException e) {
            return error("invalid rate limit string: " + e.getMessage());
        }
        limiter.set(task, limit);
        log.info("rate limit of task {} set to {} by remote control", task, value.isNull() ? "none" : value.asString());
        return ok(limit.limits() ? "new rate limit set successfully" : "rate limit disabled successfully");
    }

    private static Map<String, Object> ok(Object value) {
        return Map.of(OK, value);
    }

    private static Map<String, Object> error(String value) {
        return Map.of(ERROR, value);
    }

    private static double seconds(Instant at) {
        return at.getEpochSecond() + at.getNano() / 1e9;
    }
}
