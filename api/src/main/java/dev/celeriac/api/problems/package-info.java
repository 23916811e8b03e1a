/** RFC 9457 problem details with stable types for every error the API answers. */
package dev.celeriac.api.problems;
