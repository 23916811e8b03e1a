package dev.celeriac.worker.internal.schedule;

import dev.celeriac.producer.TaskPublishException;
import dev.celeriac.producer.amqp.ConfirmedPublisher;
import dev.celeriac.protocol.event.EventCodec;
import dev.celeriac.protocol.event.EventSource;
import dev.celeriac.protocol.event.ScheduleEvent;
import dev.celeriac.protocol.names.TopologyNames;
import dev.celeriac.protocol.names.WireFormat;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import tools.jackson.databind.JsonNode;

/**
 * Declares the worker's schedules to the ledger once it is up: one {@code schedule-declared} event per schedule, sent
 * straight to the ledger's event queue with a confirm (mandatory, so a broker without that queue says so). A
 * declaration the broker did not take is only logged: the schedule is declared again when a worker of the fleet next
 * starts, and one already stored keeps firing meanwhile.
 */
public final class ScheduleDeclarer implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(ScheduleDeclarer.class);

    private final ScheduleDeclarations declarations;
    private final ConfirmedPublisher publisher;
    private final EventCodec events;
    private final Supplier<EventSource> source;
    private final Duration timeout;

    public ScheduleDeclarer(
            ScheduleDeclarations declarations,
            ConfirmedPublisher publisher,
            EventCodec events,
            Supplier<EventSource> source,
            Duration timeout) {
        this.declarations = declarations;
        this.publisher = publisher;
        this.events = events;
        this.source = source;
        this.timeout = timeout;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent ready) {
        for (JsonNode schedule : declarations.all()) {
            String id = schedule.get("id").asString();
            var message = MessageBuilder.withBody(
                            events.encode(new ScheduleEvent.Declared(source.get(), schedule, Map.of())))
                    .setContentType(WireFormat.CONTENT_TYPE_JSON)
                    .setContentEncoding(WireFormat.CONTENT_ENCODING_UTF8)
                    .build();
            try {
                publisher.sendAndWait(
                        "schedule:" + id, "", TopologyNames.EVENT_QUEUE, TopologyNames.EVENT_QUEUE, message, timeout);
                log.info(
                        "declared schedule '{}' of task {}",
                        id,
                        schedule.get("task").asString());
            } catch (TaskPublishException e) {
                log.warn(
                        "schedule '{}' was not declared to the ledger ({}); the next start declares it",
                        id,
                        e.getMessage());
            }
        }
    }
}
