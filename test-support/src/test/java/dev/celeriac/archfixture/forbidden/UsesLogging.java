package dev.celeriac.archfixture.forbidden;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Depends on a library outside the JDK and Jackson, as the protocol module must not. */
public class UsesLogging {
    static final Logger log = LoggerFactory.getLogger(UsesLogging.class);
}
