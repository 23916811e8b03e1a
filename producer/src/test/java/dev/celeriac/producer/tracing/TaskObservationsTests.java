package dev.celeriac.producer.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.celeriac.protocol.message.TaskBody;
import dev.celeriac.protocol.message.TaskHeaders;
import dev.celeriac.protocol.message.TaskMessage;
import dev.celeriac.protocol.message.TaskProperties;
import dev.celeriac.protocol.names.MessageHeaders;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a tracer sees of a task's publish and run, with a stand-in for its propagation handlers. */
class TaskObservationsTests {

    private final List<String> seen = new ArrayList<>();

    /** Writes a context into what is sent and reads one from what is received, as a tracer's handlers do. */
    private final class Propagation implements ObservationHandler<Observation.Context> {
        @Override
        @SuppressWarnings("unchecked")
        public void onStart(Observation.Context context) {
            if (context instanceof SenderContext<?> sender) {
                ((SenderContext<Map<String, Object>>) sender)
                        .getSetter()
                        .set((Map<String, Object>) sender.getCarrier(), MessageHeaders.TRACEPARENT, "00-new-01");
            } else if (context instanceof ReceiverContext<?> receiver) {
                var typed = (ReceiverContext<Map<String, Object>>) receiver;
                seen.add(typed.getGetter().get(typed.getCarrier(), MessageHeaders.TRACEPARENT));
            }
            seen.add(context.getName() + " " + context.getContextualName() + " "
                    + context.getLowCardinalityKeyValue(TaskObservations.TASK).getValue());
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    private static TaskMessage message(Map<String, Object> extra) {
        return new TaskMessage(
                TaskProperties.forTask("t1"),
                TaskHeaders.builder("demo.add", "t1").extra(extra).build(),
                new TaskBody(null, null, null));
    }

    @Test
    void offItLeavesTheMessageAsItIsAndObservesNothing() {
        TaskMessage message = message(Map.of());

        var traced = TaskObservations.OFF.publishing(message, "default", null);

        assertThat(traced.message()).isSameAs(message);
        assertThat(traced.observation()).isSameAs(Observation.NOOP);
        assertThat(TaskObservations.OFF.run("demo.add", "t1", "default", Map.of()))
                .isSameAs(Observation.NOOP);
    }

    @Test
    void aPublishPutsItsOwnTraceContextInTheHeadersInPlaceOfTheOneTheMessageCarried() {
        var registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new Propagation());
        var observations = new TaskObservations(registry);

        var traced = observations.publishing(
                message(Map.of(MessageHeaders.TRACEPARENT, "00-old-01", MessageHeaders.TRACESTATE, "old=1", "x", 1)),
                "default",
                null);

        assertThat(traced.message().headers().extra())
                .containsEntry(MessageHeaders.TRACEPARENT, "00-new-01")
                .containsEntry("x", 1)
                .doesNotContainKey(MessageHeaders.TRACESTATE);
        assertThat(seen).containsExactly("celeriac.publish publish demo.add demo.add");
    }

    @Test
    void aRunReadsTheTraceContextItsMessageCarries() {
        var registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new Propagation());

        new TaskObservations(registry).run("demo.add", "t1", "email", Map.of(MessageHeaders.TRACEPARENT, "00-abc-01"));

        assertThat(seen).containsExactly("00-abc-01", "celeriac.run run demo.add demo.add");
    }
}
