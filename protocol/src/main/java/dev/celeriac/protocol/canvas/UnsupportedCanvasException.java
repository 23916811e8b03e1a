package dev.celeriac.protocol.canvas;

/**
 * A canvas Celeriac cannot run: a kind it does not know ({@code celery.chord}, {@code celery.chunks}, ...) or one
 * whose join it cannot count (a group followed by another step, which Celery turns into a chord).
 */
public final class UnsupportedCanvasException extends IllegalArgumentException {

    public UnsupportedCanvasException(String message) {
        super(message);
    }
}
