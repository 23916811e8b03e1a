package dev.celeriac.protocol.names;

/** Values of AMQP message properties that every task and event message carries. */
public final class WireFormat {

    /** Content type of every Celeriac task and event body. */
    public static final String CONTENT_TYPE_JSON = "application/json";
    /** Content encoding of every Celeriac task and event body. */
    public static final String CONTENT_ENCODING_UTF8 = "utf-8";
    /** Value of the {@code lang} header on messages Celeriac produces. */
    public static final String LANG_JAVA = "java";
    /** AMQP delivery mode of persistent messages. */
    public static final int DELIVERY_MODE_PERSISTENT = 2;
    /** Highest priority a task may carry (Celery's and RabbitMQ's practical range is 0 to 9). */
    public static final int MAX_PRIORITY = 9;

    private WireFormat() {}
}
