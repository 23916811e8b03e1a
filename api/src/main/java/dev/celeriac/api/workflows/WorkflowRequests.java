package dev.celeriac.api.workflows;

import dev.celeriac.api.problems.Problems;
import dev.celeriac.producer.SubmitOptions;
import dev.celeriac.producer.TaskRequest;
import dev.celeriac.producer.Workflow;
import dev.celeriac.protocol.message.CodecLimits;
import dev.celeriac.protocol.names.NameRules;
import dev.celeriac.protocol.names.TopologyNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the body of {@code POST /api/v1/workflows} into a {@link Workflow}. Each node is one JSON object of one kind:
 *
 * <pre>{@code
 * {"task": "demo.add", "args": [2, 2], "kwargs": {}, "queue": "default", "countdown": 5, "priority": 3,
 *  "maxRetries": 2, "immutable": false, "link": [node...], "linkError": [node...]}
 * {"chain": [node...]}
 * {"group": [node...]}
 * {"chord": [node...], "body": node, "policy": "fail-fast" | "wait-for-all"}
 * {"chord": {"chunks": "demo.add", "items": [[1, 2], [3, 4]], "size": 100}, "body": node}
 * {"map": "demo.fib", "items": [30, 10, 20]}
 * {"starmap": "demo.add", "items": [[1, 2], [3, 4]]}
 * {"chunks": "demo.add", "items": [[1, 2], [3, 4]], "size": 100}
 * }</pre>
 *
 * Everything a worker would refuse is refused here, each problem naming where in the body it is
 * ({@code chain[1].group[0]: ...}), before anything is sent.
 */
final class WorkflowRequests {

    /** Most tasks one request may describe (callbacks and chunk tasks included, not the inputs inside a chunk). */
    static final int MAX_TASKS = 10_000;

    private static final Set<String> KINDS = Set.of("task", "chain", "group", "chord", "map", "starmap", "chunks");
    private static final Set<String> TASK_FIELDS = Set.of(
            "task", "args", "kwargs", "queue", "countdown", "priority", "maxRetries", "immutable", "link", "linkError");

    private final JsonMapper json;
    private final CodecLimits limits;
    private final Predicate<String> known;
    private int tasks;

    /**
     * @param known whether a task name may be sent (registered by a worker, or unknown names allowed)
     */
    private WorkflowRequests(JsonMapper json, CodecLimits limits, Predicate<String> known) {
        this.json = json;
        this.limits = limits;
        this.known = known;
    }

    /** The workflow a request body describes, or a problem (400 or 422) that says what is wrong and where. */
    static Workflow read(JsonNode body, JsonMapper json, CodecLimits limits, Predicate<String> known) {
        if (body == null || !body.isObject()) {
            throw Problems.badRequest("the body must be a JSON object: a task, chain, group, chord, map, starmap or"
                    + " chunks (docs/api.md)");
        }
        return new WorkflowRequests(json, limits, known).node(body, "");
    }

    private Workflow node(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw invalid(at, "must be a JSON object");
        }
        List<String> kinds = KINDS.stream().filter(node::has).sorted().toList();
        if (kinds.size() != 1) {
            throw invalid(
                    at,
                    kinds.isEmpty()
                            ? "names no kind: give one of task, chain, group, chord, map, starmap, chunks"
                            : "names more than one kind: " + kinds);
        }
        String kind = kinds.getFirst();
        String here = at.isEmpty() ? kind : at + "." + kind;
        return switch (kind) {
            case "task" -> step(node, at);
            case "chain" -> new Workflow.Chain(members(node.get("chain"), here, 1));
            case "group" -> Workflow.group(members(node.get("group"), here, 0));
            case "chord" -> chord(node, here);
            case "map" -> Workflow.map(taskName(node.get("map"), here), counted(items(node, here, false), here));
            case "starmap" -> Workflow.starmap(taskName(node.get("starmap"), here), counted(lists(node, here), here));
            case "chunks" -> chunks(node, here);
            default -> throw new IllegalStateException(kind);
        };
    }

    private List<Workflow> members(JsonNode array, String at, int least) {
        if (array == null || !array.isArray()) {
            throw invalid(at, "must be a list of nodes");
        }
        if (array.size() < least) {
            throw invalid(at, "needs at least " + least + " step");
        }
        var members = new ArrayList<Workflow>(array.size());
        for (int i = 0; i < array.size(); i++) {
            members.add(node(array.get(i), at + "[" + i + "]"));
        }
        return members;
    }

    private Workflow chord(JsonNode node, String at) {
        JsonNode members = node.get("chord");
        Workflow.Group header;
        if (members != null && members.isObject()) {
            // A map, starmap, chunks or group as the header itself, as Workflow.chord(Workflow.chunks(...), body).
            if (!(node(members, at) instanceof Workflow.Group group)) {
                throw invalid(at, "must be a list of nodes, or one group, map, starmap or chunks");
            }
            header = group;
        } else {
            header = Workflow.group(members(members, at, 0));
        }
        if (!node.has("body")) {
            throw invalid(at, "needs a 'body': the node that runs once every member has finished");
        }
        Workflow.Chord chord = Workflow.chord(header, node(node.get("body"), at + ".body"));
        JsonNode policy = node.get("policy");
        if (policy == null || policy.isNull() || "fail-fast".equals(policy.asString(""))) {
            return chord;
        }
        if ("wait-for-all".equals(policy.asString(""))) {
            return chord.waitingForAll();
        }
        throw invalid(at + ".policy", "must be 'fail-fast' or 'wait-for-all', was " + policy);
    }

    private Workflow chunks(JsonNode node, String at) {
        String task = taskName(node.get("chunks"), at);
        List<List<Object>> items = lists(node, at);
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToInt() || size.asInt() < 1) {
            throw invalid(at + ".size", "must be a whole number of inputs per message, at least 1");
        }
        count(at, (items.size() + size.asInt() - 1) / size.asInt());
        return Workflow.chunks(task, items, size.asInt());
    }

    private <T> List<T> counted(List<T> items, String at) {
        count(at, items.size());
        return items;
    }

    private List<Object> items(JsonNode node, String at, boolean lists) {
        JsonNode items = node.get("items");
        if (items == null || !items.isArray()) {
            throw invalid(at + ".items", "must be a list of inputs");
        }
        String refused = limits.argumentProblem("items", items);
        if (refused != null) {
            throw invalid(at, refused);
        }
        var values = new ArrayList<Object>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (lists && !item.isArray()) {
                throw invalid(at + ".items[" + i + "]", "must be a list of arguments");
            }
            values.add(json.treeToValue(item, Object.class));
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private List<List<Object>> lists(JsonNode node, String at) {
        return items(node, at, true).stream().map(item -> (List<Object>) item).toList();
    }

    private Workflow.Step step(JsonNode node, String at) {
        String where = at.isEmpty() ? "task" : at;
        node.propertyNames().forEach(field -> {
            if (!TASK_FIELDS.contains(field)) {
                throw invalid(where, "has an unknown field '" + field + "'; a task takes " + TASK_FIELDS);
            }
        });
        String name = taskName(node.get("task"), where);
        count(where, 1);
        JsonNode args = node.path("args");
        JsonNode kwargs = node.path("kwargs");
        if (!args.isMissingNode() && !args.isNull() && !args.isArray()) {
            throw invalid(where + ".args", "must be a list");
        }
        if (!kwargs.isMissingNode() && !kwargs.isNull() && !kwargs.isObject()) {
            throw invalid(where + ".kwargs", "must be an object");
        }
        String refused = limits.argumentProblem("args", args.isArray() ? args : json.createArrayNode());
        if (refused == null) {
            refused = limits.argumentProblem("kwargs", kwargs.isObject() ? kwargs : json.createObjectNode());
        }
        if (refused != null) {
            throw invalid(where, refused);
        }
        SubmitOptions options = SubmitOptions.defaults();
        if (node.hasNonNull("queue")) {
            String queue = node.get("queue").asString("");
            check(where + ".queue", "queue name", queue);
            options = options.withQueue(queue);
        } else {
            options = options.withQueue(TopologyNames.DEFAULT_QUEUE);
        }
        if (node.hasNonNull("countdown")) {
            double countdown = node.get("countdown").asDouble(-1);
            if (!node.get("countdown").isNumber()
                    || countdown < 0
                    || countdown > Duration.ofDays(365).toSeconds()) {
                throw invalid(where + ".countdown", "must be 0 to 31536000 seconds");
            }
            options = options.withCountdown(Duration.ofMillis(Math.round(countdown * 1000)));
        }
        if (node.hasNonNull("priority")) {
            options = options.withPriority(whole(node.get("priority"), where + ".priority"));
        }
        if (node.hasNonNull("maxRetries")) {
            options = options.withMaxRetries(whole(node.get("maxRetries"), where + ".maxRetries"));
        }
        TaskRequest request = new TaskRequest(
                name,
                args.isArray() ? json.treeToValue(args, List.class) : List.of(),
                kwargs.isObject() ? json.treeToValue(kwargs, Map.class) : Map.of(),
                options);
        Workflow.Step step = Workflow.task(request);
        if (node.path("immutable").asBoolean(false)) {
            step = step.withoutResult();
        }
        if (node.has("link")) {
            for (Workflow callback : members(node.get("link"), where + ".link", 0)) {
                step = step.link(callback);
            }
        }
        if (node.has("linkError")) {
            for (Workflow errback : members(node.get("linkError"), where + ".linkError", 0)) {
                step = step.linkError(errback);
            }
        }
        return step;
    }

    private String taskName(JsonNode name, String at) {
        if (name == null || !name.isString() || name.asString().isBlank()) {
            throw invalid(at, "needs a task name, e.g. \"demo.add\"");
        }
        String task = name.asString();
        check(at, "task name", task);
        if (!known.test(task)) {
            throw Problems.unknownTask(at + ": ", task);
        }
        return task;
    }

    private void count(String at, int more) {
        tasks += more;
        if (tasks > MAX_TASKS) {
            throw invalid(
                    at,
                    "the workflow holds more than " + MAX_TASKS + " tasks; send many inputs as chunks"
                            + " (each chunk is one task)");
        }
    }

    private static int whole(JsonNode value, String at) {
        if (!value.canConvertToInt()) {
            throw invalid(at, "must be a whole number");
        }
        return value.asInt();
    }

    private static void check(String at, String kind, String name) {
        String problem = NameRules.problem(kind, name);
        if (problem != null) {
            throw invalid(at, problem);
        }
    }

    private static ErrorResponseException invalid(String at, String detail) {
        return Problems.invalid((at.isEmpty() ? "" : at + ": ") + detail);
    }
}
