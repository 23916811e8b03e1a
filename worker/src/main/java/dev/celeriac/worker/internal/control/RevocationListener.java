package dev.celeriac.worker.internal.control;

import com.rabbitmq.client.Connection;
import dev.celeriac.producer.amqp.Subscription;
import dev.celeriac.protocol.control.Revoke;
import dev.celeriac.protocol.message.MalformedMessageException;
import dev.celeriac.protocol.names.BrokerArguments;
import dev.celeriac.protocol.names.TopologyNames;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows the revocation stream: on start it reads the revocations of the retention period, so that a worker started
 * after a revoke still honours it, and then every new one as it is published. {@link #start} returns once it has
 * caught up, before the worker takes any task.
 */
public final class RevocationListener {

    private static final Logger log = LoggerFactory.getLogger(RevocationListener.class);
    private static final long QUIET_NANOS = Duration.ofMillis(300).toNanos();
    private static final long CATCH_UP_NANOS = Duration.ofSeconds(10).toNanos();

    private final Revocations revocations;
    private final JsonMapper mapper;
    private final Duration retention;
    private final Clock clock;
    private volatile long lastDelivery;
    private Subscription subscription;

    public RevocationListener(Revocations revocations, JsonMapper mapper, Duration retention, Clock clock) {
        this.revocations = revocations;
        this.mapper = mapper;
        this.retention = retention;
        this.clock = clock;
    }

    /** Subscribes on the given connection and waits until the backlog has been read (or ten seconds passed). */
    public void start(Connection connection) throws IOException {
        lastDelivery = System.nanoTime();
        Date from = Date.from(clock.instant().minus(retention));
        subscription = Subscription.to(connection, TopologyNames.REVOCATION_STREAM)
                .name("celeriac-revocations")
                .prefetch(500)
                .arguments(Map.of(BrokerArguments.STREAM_OFFSET, from))
                .start((channel, envelope, properties, body) -> {
                    lastDelivery = System.nanoTime();
                    try {
                        Revoke revoke = Revoke.decode(mapper, body);
                        revoke.taskIds().forEach(id -> revocations.revoke(id, revoke.terminate(), revoke.until()));
                    } catch (MalformedMessageException e) {
                        log.warn(
                                "ignored a message on {} that is no revoke command: {}",
                                TopologyNames.REVOCATION_STREAM,
                                e.getMessage());
                    }
                    channel.basicAck(envelope.getDeliveryTag(), false);
                });
        long started = System.nanoTime();
        while (System.nanoTime() - lastDelivery < QUIET_NANOS && System.nanoTime() - started < CATCH_UP_NANOS) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info(
                "following {}: {} revocations of the last {} known",
                TopologyNames.REVOCATION_STREAM,
                revocations.size(),
                retention);
    }

    /** Stops following the stream. */
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
