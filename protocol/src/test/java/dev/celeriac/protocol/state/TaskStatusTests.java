package dev.celeriac.protocol.state;

import static dev.celeriac.protocol.state.TaskState.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskStatusTests {

    private static TaskStatus s(TaskState state, int attempt) {
        return new TaskStatus(state, attempt);
    }

    private static List<TaskStatus> everyStatus() {
        var all = new ArrayList<TaskStatus>();
        for (TaskState state : TaskState.values()) {
            for (int attempt = 0; attempt <= 2; attempt++) {
                all.add(s(state, attempt));
            }
        }
        return all;
    }

    private static TaskStatus mergeAll(List<TaskStatus> updates) {
        TaskStatus current = null;
        for (TaskStatus update : updates) {
            current = TaskStatus.merge(current, update);
        }
        return current;
    }

    /** A task that failed twice, was retried, and then succeeded, as its events are emitted. */
    private static final List<TaskStatus> RETRIED_TWICE_THEN_SUCCEEDED = List.of(
            s(PENDING, 0),
            s(RECEIVED, 0),
            s(STARTED, 0),
            s(RETRY, 0),
            s(RECEIVED, 1),
            s(STARTED, 1),
            s(RETRY, 1),
            s(RECEIVED, 2),
            s(STARTED, 2),
            s(SUCCESS, 2));

    @Test
    void followsALifeWithRetriesInOrder() {
        TaskStatus current = null;
        for (TaskStatus update : RETRIED_TWICE_THEN_SUCCEEDED) {
            TaskStatus merged = TaskStatus.merge(current, update);
            assertThat(merged).isEqualTo(update);
            current = merged;
        }
    }

    @Test
    void reachesTheSameEndWhateverOrderEventsArriveIn() {
        var random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            var shuffled = new ArrayList<>(RETRIED_TWICE_THEN_SUCCEEDED);
            Collections.shuffle(shuffled, random);
            assertThat(mergeAll(shuffled)).isEqualTo(s(SUCCESS, 2));
        }
    }

    @Test
    void neverMovesBackOnALateEventOfAnEarlierAttempt() {
        TaskStatus current = s(STARTED, 1);
        assertThat(TaskStatus.merge(current, s(RETRY, 0))).isEqualTo(current);
        assertThat(TaskStatus.merge(current, s(STARTED, 0))).isEqualTo(current);
        assertThat(TaskStatus.merge(current, s(PENDING, 0))).isEqualTo(current);
        assertThat(TaskStatus.merge(s(RETRY, 1), s(RECEIVED, 2))).isEqualTo(s(RECEIVED, 2));
    }

    @Test
    void keepsATerminalStateAgainstEveryNonTerminalUpdate() {
        for (TaskState terminal : List.of(SUCCESS, FAILURE, REVOKED)) {
            for (TaskStatus update : everyStatus()) {
                if (!update.state().isTerminal()) {
                    assertThat(TaskStatus.merge(s(terminal, 0), update)).isEqualTo(s(terminal, 0));
                }
            }
        }
    }

    @Test
    void ranksAKnownSuccessAboveAFailureOrRevocation() {
        assertThat(TaskStatus.merge(s(REVOKED, 0), s(SUCCESS, 0))).isEqualTo(s(SUCCESS, 0));
        assertThat(TaskStatus.merge(s(FAILURE, 0), s(SUCCESS, 0))).isEqualTo(s(SUCCESS, 0));
        assertThat(TaskStatus.merge(s(SUCCESS, 0), s(FAILURE, 0))).isEqualTo(s(SUCCESS, 0));
        assertThat(TaskStatus.merge(s(SUCCESS, 0), s(REVOKED, 0))).isEqualTo(s(SUCCESS, 0));
    }

    @Test
    void isIdempotentForDuplicates() {
        for (TaskStatus status : everyStatus()) {
            assertThat(TaskStatus.merge(status, status)).isSameAs(status);
        }
    }

    @Test
    void isCommutativeAndAssociativeOverEveryStatus() {
        List<TaskStatus> all = everyStatus();
        for (TaskStatus a : all) {
            for (TaskStatus b : all) {
                assertThat(TaskStatus.merge(a, b)).isEqualTo(TaskStatus.merge(b, a));
                for (TaskStatus c : all) {
                    assertThat(TaskStatus.merge(TaskStatus.merge(a, b), c))
                            .isEqualTo(TaskStatus.merge(a, TaskStatus.merge(b, c)));
                }
            }
        }
    }

    @Test
    void ordersKeysExactlyAsTheMergeOrdersStatuses() {
        var all = new ArrayList<>(everyStatus());
        all.add(s(STARTED, TaskStatus.MAX_ORDERED_ATTEMPT));
        all.add(s(SUCCESS, TaskStatus.MAX_ORDERED_ATTEMPT));
        for (TaskStatus a : all) {
            for (TaskStatus b : all) {
                assertThat(a.orderKey() < b.orderKey()).as("%s before %s", a, b).isEqualTo(TaskStatus.precedes(a, b));
            }
            assertThat(a.orderKey()).isBetween(0L, (1L << 42) - 1);
        }
    }

    @Test
    void agreesWithTheTransitionTableWithinAnAttempt() {
        for (TaskState from : TaskState.values()) {
            for (TaskState to : TaskState.values()) {
                boolean moved = TaskStatus.precedes(s(from, 1), s(to, 1));
                assertThat(moved).as("%s -> %s", from, to).isEqualTo(from.canMoveTo(to));
            }
        }
    }

    @Test
    void marksExactlySuccessFailureAndRevokedTerminal() {
        assertThat(List.of(TaskState.values()).stream().filter(TaskState::isTerminal))
                .containsExactlyInAnyOrder(SUCCESS, FAILURE, REVOKED);
        assertThat(SUCCESS.next()).isEmpty();
    }
}
