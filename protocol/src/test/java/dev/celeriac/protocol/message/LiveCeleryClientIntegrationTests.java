package dev.celeriac.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.testsupport.broker.IsolatedVirtualHost;
import dev.celeriac.testsupport.celery.CeleryPython;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the fixture capture script with the real Celery 5 client installed on this machine (Debian's python3-celery)
 * against a real broker, and decodes every message it sends: the committed fixtures and the codec stay true to the
 * Celery that users run, not just to the bytes captured once.
 */
class LiveCeleryClientIntegrationTests {

    @RegisterExtension
    static final IsolatedVirtualHost rabbit = new IsolatedVirtualHost();

    private final TaskMessageCodec codec = new TaskMessageCodec();

    @Test
    void decodesEveryMessageARealCeleryClientSendsNow(@TempDir Path out) throws Exception {
        Process capture = new ProcessBuilder(
                        CeleryPython.python(),
                        Path.of("src", "test", "celery", "capture_fixtures.py").toString(),
                        out.toString(),
                        rabbit.endpoint().uri())
                .redirectErrorStream(true)
                .start();
        String output = new String(capture.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(capture.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(capture.exitValue()).as(output).isZero();

        for (String name : CeleryFixtures.CASES) {
            Path file = out.resolve(name + ".json");
            assertThat(file).as(name).exists();
            CeleryFixtures.Fixture live = CeleryFixtures.load(Files.readString(file), name);
            CeleryFixtures.Fixture committed = CeleryFixtures.load(name);

            TaskMessage decoded = codec.decode(live.properties(), live.headers(), live.body());
            TaskMessage expected = codec.decode(committed.properties(), committed.headers(), committed.body());

            assertThat(live.headers().keySet())
                    .as(name)
                    .isEqualTo(committed.headers().keySet());
            assertThat(decoded.task()).as(name).isEqualTo(expected.task());
            assertThat(decoded.body().args()).as(name).isEqualTo(expected.body().args());
            assertThat(decoded.body().kwargs())
                    .as(name)
                    .isEqualTo(expected.body().kwargs());
            assertThat(decoded.headers().timeLimit())
                    .as(name)
                    .isEqualTo(expected.headers().timeLimit());
            assertThat(decoded.properties().priority())
                    .as(name)
                    .isEqualTo(expected.properties().priority());
            assertThat(codec.decode(codec.encode(decoded))).as(name).isEqualTo(decoded);
        }
    }
}
