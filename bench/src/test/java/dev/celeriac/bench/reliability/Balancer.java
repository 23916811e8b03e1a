package dev.celeriac.bench.reliability;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several API instances behind a client-side balancer, as a fleet's HTTP load balancer with retries behaves: each
 * request goes to the next instance in turn, and one that got no answer (its instance is down), a 503 or a 409 (the
 * first send still in flight) is sent again to the next instance, a submit with the same {@code Idempotency-Key}.
 */
final class Balancer {

    /** Sends of one request before the balancer gives up: a minute's worth. */
    private static final int ATTEMPTS = 1_200;

    /**
     * A request's final answer.
     *
     * @param instance the instance that gave it
     * @param response the answer
     * @param afterNoAnswer whether an earlier send of the same request got no answer (its effect is unknown)
     */
    record Answer(int instance, HttpResponse<String> response, boolean afterNoAnswer) {}

    private final List<Rest> instances;
    private final AtomicInteger next = new AtomicInteger();
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final AtomicInteger unanswered = new AtomicInteger();

    Balancer(List<Rest> instances) {
        this.instances = List.copyOf(instances);
    }

    /** Submits a task with a key of its own, sent again until an instance answers 202. */
    Answer submitUntilAccepted(String body) throws InterruptedException {
        String key = UUID.randomUUID().toString();
        return send(
                Math.floorMod(next.getAndIncrement(), instances.size()),
                -1,
                Set.of(503, 409),
                rest -> rest.post("/api/v1/tasks", body, key));
    }

    /** A DELETE sent to any instance but {@code avoid}, again until one answers other than 503. */
    Answer deleteAvoiding(int avoid, String path) throws InterruptedException {
        return send((avoid + 1) % instances.size(), avoid, Set.of(503), rest -> rest.delete(path));
    }

    private interface Call {
        HttpResponse<String> on(Rest rest);
    }

    private Answer send(int first, int avoid, Set<Integer> sendAgainOn, Call call) throws InterruptedException {
        int instance = first;
        boolean noAnswer = false;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = call.on(instances.get(instance));
                answers.computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                        .incrementAndGet();
                if (!sendAgainOn.contains(response.statusCode())) {
                    return new Answer(instance, response, noAnswer);
                }
            } catch (UncheckedIOException e) {
                unanswered.incrementAndGet();
                noAnswer = true;
            }
            do {
                instance = (instance + 1) % instances.size();
            } while (instance == avoid);
            Thread.sleep(50);
        }
        throw new IllegalStateException("no instance answered a request in " + ATTEMPTS + " sends");
    }

    /** Every answer so far by status, the sends that were answered but sent again included. */
    Map<Integer, Integer> answers() {
        var statuses = new TreeMap<Integer, Integer>();
        answers.forEach((status, n) -> statuses.put(status, n.get()));
        return statuses;
    }

    /** Sends that got no answer. */
    int unanswered() {
        return unanswered.get();
    }
}
