package dev.celeriac.producer;

import dev.celeriac.protocol.canvas.ChordPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tasks that run as one piece of work, built the way Celery's canvas builds them:
 *
 * <pre>{@code
 * client.submit(Workflow.chain(
 *         Workflow.task("demo.add", 2, 2),        // 4
 *         Workflow.task("demo.add", 10),          // add(4, 10) = 14
 *         Workflow.group(                         // both get 14 first
 *                 Workflow.task("demo.add", 1),
 *                 Workflow.task("demo.add", 2))));
 * }</pre>
 *
 * A workflow travels in its task messages as Celery writes it (its embed: the steps still to come, callbacks and
 * error callbacks), so Java and Python Celery workers run each other's steps.
 */
public sealed interface Workflow permits Workflow.Step, Workflow.Chain, Workflow.Group, Workflow.Chord {

    /** One task; in a chain it gets the result of the step before as its first argument, unless immutable. */
    static Step task(String name, Object... args) {
        return new Step(TaskRequest.of(name, args), false, List.of(), List.of());
    }

    /** One task, with keyword arguments and options. */
    static Step task(TaskRequest request) {
        return new Step(request, false, List.of(), List.of());
    }

    /** Steps run one after another, each given the result of the one before; a failure stops the chain. */
    static Chain chain(Workflow... steps) {
        return new Chain(Arrays.asList(steps));
    }

    /** Members run side by side, under one group id. */
    static Group group(Workflow... members) {
        return new Group(Arrays.asList(members));
    }

    /** Members run side by side, under one group id. */
    static Group group(List<? extends Workflow> members) {
        return new Group(List.copyOf(members));
    }

    /**
     * A group whose {@code body} runs exactly once, when every member of {@code header} has finished, given the list
     * of their results in the header's order; a failed member ends the chord ({@link ChordPolicy#FAIL_FAST}). The
     * join is counted in the ledger, so the API must be running (it records the chord before its tasks are sent).
     */
    static Chord chord(Group header, Workflow body) {
        return new Chord(header, body, ChordPolicy.FAIL_FAST);
    }

    /** {@code task} once per input, side by side: a group of one task per item, each item its one argument. */
    static Group map(String task, List<?> items) {
        return new Group(items.stream().<Workflow>map(item -> task(task, item)).toList());
    }

    /** {@code task} once per input, side by side: a group of one task per item, each item its list of arguments. */
    static Group starmap(String task, List<? extends List<?>> items) {
        return new Group(items.stream()
                .<Workflow>map(args -> new Step(
                        new TaskRequest(task, args, Map.of(), SubmitOptions.defaults()), false, List.of(), List.of()))
                .toList());
    }

    /**
     * {@code task} once per input, in chunks of {@code size} inputs per message (Celery's {@code chunks}): a group of
     * {@code celery.starmap} tasks, each calling {@code task} for its inputs in turn and returning their results as a
     * list. A million inputs in chunks of 1,000 are 1,000 messages; an input that fails fails its chunk.
     *
     * @param items each input's list of arguments
     */
    static Group chunks(String task, List<? extends List<?>> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a chunk holds at least 1 item, was " + size);
        }
        var chunks = new ArrayList<Workflow>();
        for (int from = 0; from < items.size(); from += size) {
            List<? extends List<?>> chunk = items.subList(from, Math.min(items.size(), from + size));
            Map<String, Object> kwargs = new LinkedHashMap<>();
            kwargs.put("task", Map.of("task", task, "args", List.of(), "kwargs", Map.of(), "options", Map.of()));
            kwargs.put("it", chunk);
            chunks.add(new Step(
                    new TaskRequest(STARMAP, List.of(), kwargs, SubmitOptions.defaults()), true, List.of(), List.of()));
        }
        return new Group(chunks);
    }

    /** The task Celery's {@code chunks} sends for each chunk. */
    String STARMAP = "celery.starmap";

    /**
     * One task.
     *
     * @param request the task, its arguments (after the result of a step before, unless immutable) and options; its
     *     {@code taskId}, if set, is the task's id
     * @param immutable whether it takes no result from the step before (Celery's {@code si()})
     * @param link what runs after it succeeds, each given its result (Celery's {@code link})
     * @param linkError what runs after it fails for good, each given its id (Celery's {@code link_error})
     */
    record Step(TaskRequest request, boolean immutable, List<Workflow> link, List<Workflow> linkError)
            implements Workflow {

        public Step {
            Objects.requireNonNull(request, "request");
            link = List.copyOf(link);
            linkError = List.copyOf(linkError);
            if (request.options().parentId() != null || request.options().rootId() != null) {
                throw new IllegalArgumentException(
                        "a workflow step's parent and root are set by the workflow, not by its options");
            }
        }

        /** This step, taking no result from the step before (Celery's {@code si()}). */
        public Step withoutResult() {
            return new Step(request, true, link, linkError);
        }

        /** This step, with {@code callback} run after it succeeds, given its result. */
        public Step link(Workflow callback) {
            return new Step(request, immutable, plus(link, callback), linkError);
        }

        /** This step, with {@code errback} run after it fails for good, given its id. */
        public Step linkError(Workflow errback) {
            return new Step(request, immutable, link, plus(linkError, errback));
        }

        private static List<Workflow> plus(List<Workflow> list, Workflow item) {
            var copy = new ArrayList<>(list);
            copy.add(Objects.requireNonNull(item));
            return copy;
        }
    }

    /** Steps one after another; at least one. */
    record Chain(List<Workflow> steps) implements Workflow {
        public Chain {
            steps = List.copyOf(steps);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a chain needs at least one step");
            }
        }
    }

    /**
     * A group, then a body given all their results.
     *
     * @param header the tasks to wait for; each member has one result (a task, or a chain ending in one)
     * @param body what runs with the list of their results
     * @param policy what a failed header task does to the chord
     */
    record Chord(Group header, Workflow body, ChordPolicy policy) implements Workflow {
        public Chord {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(policy, "policy");
        }

        /** This chord, waiting for every header task and passing each failure in its place. */
        public Chord waitingForAll() {
            return new Chord(header, body, ChordPolicy.ALL);
        }
    }

    /** Members side by side; may be empty. */
    record Group(List<Workflow> members) implements Workflow {
        public Group {
            members = List.copyOf(members);
        }
    }
}
