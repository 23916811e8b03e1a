package dev.celeriac.archfixture.lib.internal;

/** Internal to the "lib" fixture module. */
public class Hidden {}
