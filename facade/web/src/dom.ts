// A few lines instead of a framework: build elements, and change text only when it changed, so a
// refresh touches the DOM only where a number moved.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
    tag: K, attributes: Record<string, string> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    for (const child of children) if (child) element.append(child);
    return element;
}

export function setText(element: Element, text: string): void {
    if (element.textContent !== text) element.textContent = text;
}

export function link(text: string, target: string): HTMLAnchorElement {
    return h("a", { href: target }, text);
}
