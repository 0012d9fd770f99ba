// When the facade protects reads (Facade:Auth:ProtectReads), /api answers 401 without a bearer
// token. The page then asks for it once and keeps it in sessionStorage: this tab only, gone when
// the tab closes, never written to disk as a cookie or localStorage would be.

import { h } from "./dom";

const key = "kubemonitor.token";
let asking: Promise<void> | null = null;

export function storedToken(): string | null {
    return sessionStorage.getItem(key);
}

export function forgetToken(): void {
    sessionStorage.removeItem(key);
}

/** Shows one prompt however many requests were refused at once; resolves when a token is stored. */
export function askForToken(reason: string): Promise<void> {
    asking ??= prompt(reason).finally(() => { asking = null; });
    return asking;
}

function prompt(reason: string): Promise<void> {
    return new Promise(resolve => {
        const input = h("input", { type: "password", name: "token", autocomplete: "off", required: "", "aria-label": "Bearer token" });
        const form = h("form", { method: "dialog" },
            h("h2", {}, "Token needed"),
            h("p", {}, reason),
            h("p", { class: "hint" }, "It is kept for this tab only and sent as Authorization: Bearer."),
            input,
            h("button", { type: "submit" }, "Continue"));
        const dialog = h("dialog", { class: "token" }, form);
        dialog.addEventListener("cancel", event => event.preventDefault());
        form.addEventListener("submit", () => {
            sessionStorage.setItem(key, input.value.trim());
            dialog.remove();
            resolve();
        });
        document.body.append(dialog);
        dialog.showModal();
        input.focus();
    });
}
