package dev.celeriac.api.dashboard;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The web dashboard: static pages packaged in the API's jar under {@code /ui/} (no build step, nothing loaded from
 * elsewhere), which sign in with an API key and call the REST API like any other client (ADR 12).
 */
@Controller
public class DashboardController {

    /** The dashboard's address. */
    public static final String PATH = "/ui/";

    @GetMapping({"/", "/ui"})
    public String home() {
        return "redirect:" + PATH;
    }

    @GetMapping(PATH)
    public String page() {
        return "forward:" + PATH + "index.html";
    }
}
