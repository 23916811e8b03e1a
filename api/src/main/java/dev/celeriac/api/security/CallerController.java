package dev.celeriac.api.security;

import java.util.Locale;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/me}: the role of the key that calls, so that a client (the dashboard, the command line) can check
 * a key and offer only what its role may do.
 */
@RestController
@RequestMapping("/api/v1/me")
public class CallerController {

    /** The calling key's role: {@code read}, {@code submit} or {@code admin}. */
    public record Caller(String role) {}

    @GetMapping
    public Caller me(Authentication authentication) {
        String authority = authentication.getAuthorities().iterator().next().getAuthority();
        return new Caller(authority.substring("ROLE_".length()).toLowerCase(Locale.ROOT));
    }
}
