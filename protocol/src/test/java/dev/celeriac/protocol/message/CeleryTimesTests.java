package dev.celeriac.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class CeleryTimesTests {

    @Test
    void formatsAsPythonIsoformatOfAUtcDatetime() {
        assertThat(CeleryTimes.format(Instant.parse("2030-01-02T03:04:05.678Z")))
                .isEqualTo("2030-01-02T03:04:05.678000+00:00");
        assertThat(CeleryTimes.format(Instant.parse("2030-01-02T03:04:05Z"))).isEqualTo("2030-01-02T03:04:05+00:00");
        assertThat(CeleryTimes.format(Instant.parse("2030-01-02T03:04:05.123456789Z")))
                .isEqualTo("2030-01-02T03:04:05.123456+00:00");
    }

    @Test
    void parsesOffsetsZuluAndNaiveTimesAsUtc() {
        Instant expected = Instant.parse("2030-01-02T03:04:05.678Z");
        assertThat(CeleryTimes.parse("2030-01-02T03:04:05.678000+00:00")).isEqualTo(expected);
        assertThat(CeleryTimes.parse("2030-01-02T05:04:05.678+02:00")).isEqualTo(expected);
        assertThat(CeleryTimes.parse("2030-01-02T03:04:05.678Z")).isEqualTo(expected);
        assertThat(CeleryTimes.parse("2030-01-02T03:04:05.678")).isEqualTo(expected);
        assertThat(CeleryTimes.parse("2030-01-02 03:04:05.678")).isEqualTo(expected);
    }

    @Test
    void rejectsTextThatIsNoDateTime() {
        assertThatExceptionOfType(DateTimeParseException.class).isThrownBy(() -> CeleryTimes.parse("tomorrow"));
    }
}
