// The view lives in the URL's hash (#/pods?namespace=shop), so a link shows the same view to
// anyone who opens it, and back and forward move between views.

export interface Route {
    /** Path segments after "#/", decoded: ["namespaces", "shop", "pods", "web-1"]. */
    path: string[];
    params: URLSearchParams;
}

export function currentRoute(): Route {
    const hash = location.hash.replace(/^#\/?/, "");
    const [path = "", query = ""] = hash.split("?", 2);
    const segments = path.split("/").filter(s => s.length > 0).map(decodeURIComponent);
    return { path: segments.length > 0 ? segments : ["nodes"], params: new URLSearchParams(query) };
}

/** "#/namespaces/shop?w=300"; empty parameters are left out. */
export function href(path: string[], params: Record<string, string | number | null | undefined> = {}): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
        if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
    }
    const text = query.toString();
    return "#/" + path.map(encodeURIComponent).join("/") + (text ? "?" + text : "");
}

/** The current route with some parameters changed (null removes one); replaces the history entry for small changes. */
export function withParams(route: Route, changes: Record<string, string | number | null>, replace = false): void {
    const params: Record<string, string> = Object.fromEntries(route.params);
    for (const [key, value] of Object.entries(changes)) {
        if (value === null || value === "") delete params[key];
        else params[key] = String(value);
    }
    const target = href(route.path, params);
    if (replace) history.replaceState(null, "", target);
    else history.pushState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
}

export function sameView(a: Route, b: Route): boolean {
    return a.path.join("/") === b.path.join("/");
}
