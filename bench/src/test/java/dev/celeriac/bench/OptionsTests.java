package dev.celeriac.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTests {

    @Test
    void runsEveryScenarioWithTheDocumentedDefaults() {
        Options options = Options.parse(new String[0]);
        assertThat(options.scenarios()).containsExactlyElementsOf(Options.ALL);
        assertThat(options.tasks()).isEqualTo(50_000);
        assertThat(options.rate()).isEqualTo(1_000);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.ioTasks()).isEqualTo(10_000);
    }

    @Test
    void takesScenariosCountsAndDurations() {
        Options options = Options.parse(
                new String[] {"--scenarios=io,cpu", "--tasks=1_000", "--duration=500ms", "--rest-duration=2m"});
        assertThat(options.scenarios()).containsExactly("io", "cpu");
        assertThat(options.tasks()).isEqualTo(1_000);
        assertThat(options.duration()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.restDuration()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void smokeMakesEveryScenarioSmall() {
        Options options = Options.parse(new String[] {"--smoke"});
        assertThat(options.tasks()).isLessThanOrEqualTo(1_000);
        assertThat(options.ioTasks()).isLessThanOrEqualTo(1_000);
        assertThat(options.duration()).isLessThanOrEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void explainsWhatIsWrongWithAnOption() {
        assertThatThrownBy(() -> Options.parse(new String[] {"--tasks=many"}))
                .hasMessage("--tasks must be a whole number, not many");
        assertThatThrownBy(() -> Options.parse(new String[] {"--tasks=0"}))
                .hasMessage("--tasks must be at least 1, not 0");
        assertThatThrownBy(() -> Options.parse(new String[] {"--duration=soon"}))
                .hasMessage("--duration must be a duration such as 500ms, 30s or 2m, not soon");
        assertThatThrownBy(() -> Options.parse(new String[] {"--scenarios=fast"}))
                .hasMessageStartingWith("unknown scenario fast");
        assertThatThrownBy(() -> Options.parse(new String[] {"--speed=11"})).hasMessage("unknown options: [speed]");
        assertThatThrownBy(() -> Options.parse(new String[] {"tasks=1"}))
                .hasMessageContaining("not an option: tasks=1");
    }
}
