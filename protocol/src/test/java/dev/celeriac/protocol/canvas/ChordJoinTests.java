package dev.celeriac.protocol.canvas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.canvas.ChordJoin.Part;
import dev.celeriac.protocol.state.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.IntNode;

class ChordJoinTests {

    private static Part done(String id, int result) {
        return new Part(id, TaskState.SUCCESS, IntNode.valueOf(result), null);
    }

    @Test
    void waitsUntilEveryHeaderTaskHasFinishedWhateverStateTheOthersAreIn() {
        var parts = List.of(
                done("a", 1),
                new Part("b", TaskState.STARTED, null, null),
                new Part("c", null, null, null),
                new Part("d", TaskState.RETRY, null, null));

        assertThat(ChordJoin.decide(ChordPolicy.FAIL_FAST, parts)).isEqualTo(new ChordJoin.Waiting(1, 4));
    }

    @Test
    void completesWithTheResultsInHeaderOrderNotInTheOrderTheyFinished() {
        var verdict = ChordJoin.decide(ChordPolicy.FAIL_FAST, List.of(done("a", 3), done("b", 1), done("c", 2)));

        assertThat(verdict)
                .isInstanceOfSatisfying(
                        ChordJoin.Complete.class,
                        c -> assertThat(c.results().toString()).isEqualTo("[3,1,2]"));
    }

    @Test
    void aThousandTaskHeaderWaitsForItsLastTask() {
        var parts = new ArrayList<Part>();
        for (int i = 0; i < 1000; i++) {
            parts.add(i < 999 ? done("t" + i, i) : new Part("t999", TaskState.STARTED, null, null));
        }

        assertThat(ChordJoin.decide(ChordPolicy.ALL, parts)).isEqualTo(new ChordJoin.Waiting(999, 1000));
    }

    @Test
    void failFastEndsAtTheFirstFailureEvenWithTasksStillRunning() {
        var parts = List.of(
                done("a", 1),
                new Part("b", TaskState.FAILURE, null, "ValueError: no"),
                new Part("c", TaskState.STARTED, null, null));

        assertThat(ChordJoin.decide(ChordPolicy.FAIL_FAST, parts))
                .isEqualTo(new ChordJoin.Failed("b", "ValueError: no"));
        assertThat(ChordJoin.decide(ChordPolicy.ALL, parts)).isEqualTo(new ChordJoin.Waiting(2, 3));
    }

    @Test
    void allWaitsForEveryTaskAndPassesEachFailureInItsPlace() {
        var parts = List.of(
                done("a", 1),
                new Part("b", TaskState.FAILURE, null, "ValueError: no"),
                new Part("c", TaskState.REVOKED, null, null));

        assertThat(ChordJoin.decide(ChordPolicy.ALL, parts))
                .isInstanceOfSatisfying(
                        ChordJoin.Complete.class,
                        c -> assertThat(c.results().toString())
                                .isEqualTo("[1,{\"failed\":\"b\",\"state\":\"FAILURE\",\"error\":\"ValueError: no\"},"
                                        + "{\"failed\":\"c\",\"state\":\"REVOKED\",\"error\":null}]"));
    }

    @Test
    void anEmptyHeaderCompletesAtOnceWithNoResults() {
        assertThat(ChordJoin.decide(ChordPolicy.FAIL_FAST, List.of()))
                .isInstanceOfSatisfying(
                        ChordJoin.Complete.class, c -> assertThat(c.results()).isEmpty());
    }
}
