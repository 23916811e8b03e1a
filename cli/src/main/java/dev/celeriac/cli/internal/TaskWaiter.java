package dev.celeriac.cli.internal;

import java.time.Duration;
import tools.jackson.databind.JsonNode;

/** Waits for a task to finish, as long as asked, a minute of the API's {@code ?wait} at a time. */
public final class TaskWaiter {

    /** Longest the API's {@code ?wait} takes. */
    private static final int SLICE_SECONDS = 60;

    private TaskWaiter() {}

    /** The task once finished, or as it was when the time ran out. */
    public static JsonNode await(ApiClient api, String id, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        JsonNode task;
        do {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L);
            int slice = (int) Math.min(SLICE_SECONDS, Math.max(left, 0));
            task = api.get("/api/v1/tasks/" + id + "?wait=" + slice);
        } while (!finished(task) && System.nanoTime() < deadline);
        return task;
    }

    public static boolean finished(JsonNode task) {
        return switch (task.path("state").asString("")) {
            case "SUCCESS", "FAILURE", "REVOKED" -> true;
            default -> false;
        };
    }

    /** The exit status of a task waited for: ok, failed, or not finished in time. */
    public static int exitCode(JsonNode task) {
        if (!finished(task)) {
            return ExitCodes.TIMED_OUT;
        }
        return "SUCCESS".equals(task.path("state").asString()) ? ExitCodes.OK : ExitCodes.TASK_FAILED;
    }
}
