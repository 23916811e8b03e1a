package dev.celeriac.protocol.canvas;

import dev.celeriac.protocol.state.TaskState;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * When a chord's body runs: decided from the ledger's states of its header tasks alone. A header task counts once
 * whatever number of times it ran or its events arrived, because the join reads each task's one merged state rather
 * than counting events; the ledger starts the body only through the step that marks the chord fired, once.
 */
public final class ChordJoin {

    /** Fields of a failed header task's place in the results of an {@link ChordPolicy#ALL} chord. */
    public static final String FAILED = "failed";

    public static final String STATE = "state";
    public static final String ERROR = "error";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChordJoin() {}

    /**
     * A header task as the ledger has it.
     *
     * @param taskId its id
     * @param state its state, or {@code null} while the ledger has not heard of it
     * @param result its result (JSON), or {@code null}
     * @param error {@code "<type>: <message>"} of a failure, or {@code null}
     */
    public record Part(String taskId, TaskState state, JsonNode result, String error) {

        boolean finished() {
            return state != null && state.isTerminal();
        }

        boolean failed() {
            return state == TaskState.FAILURE || state == TaskState.REVOKED;
        }
    }

    /** What the chord does now. */
    public sealed interface Verdict {}

    /** Header tasks are still to finish. */
    public record Waiting(int finished, int of) implements Verdict {}

    /** Every header task has finished: the body runs with these results, in the header's order. */
    public record Complete(ArrayNode results) implements Verdict {}

    /** A header task failed and the policy is {@link ChordPolicy#FAIL_FAST}: the body never runs. */
    public record Failed(String taskId, String error) implements Verdict {}

    /** The verdict for a chord whose header tasks are {@code parts}, in order. */
    public static Verdict decide(ChordPolicy policy, List<Part> parts) {
        int finished = 0;
        for (Part part : parts) {
            if (part.failed() && policy == ChordPolicy.FAIL_FAST) {
                return new Failed(
                        part.taskId(),
                        part.error() != null ? part.error() : part.state().name());
            }
            if (part.finished()) {
                finished++;
            }
        }
        if (finished < parts.size()) {
            return new Waiting(finished, parts.size());
        }
        ArrayNode results = JSON.arrayNode();
        for (Part part : parts) {
            if (part.failed()) {
                ObjectNode place = JSON.objectNode();
                place.put(FAILED, part.taskId());
                place.put(STATE, part.state().name());
                place.put(ERROR, part.error());
                results.add(place);
            } else {
                results.add(part.result() == null ? NullNode.getInstance() : part.result());
            }
        }
        return new Complete(results);
    }
}
