package dev.celeriac.api.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskCompletionsTests {

    private final TaskCompletions completions = new TaskCompletions();

    @Test
    void wakesEveryWaiterOfATaskThatEnded() {
        var first = completions.watch("t");
        var second = completions.watch("t");
        var other = completions.watch("u");

        completions.finished(List.of("t"));

        assertThat(first).isDone();
        assertThat(second).isDone();
        assertThat(other).isNotDone();
    }

    @Test
    void forgetsWaitersThatStoppedWatching() {
        var first = completions.watch("t");
        var second = completions.watch("t");
        completions.unwatch("t", first);
        assertThat(completions.watched()).isEqualTo(1);
        completions.unwatch("t", second);
        assertThat(completions.watched()).isZero();
        completions.finished(List.of("t"));
        assertThat(first).isNotDone();
    }
}
