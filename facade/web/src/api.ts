// Reads of the REST API (docs/api.md section 3), with the token when one is stored. A 401 or a
// refused token asks for one and tries again; any other problem is thrown for the view to show.

import { askForToken, forgetToken, storedToken } from "./token";

export class ApiError extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
    }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    for (;;) {
        const token = storedToken();
        const headers: Record<string, string> = { Accept: "application/json" };
        if (token) headers.Authorization = `Bearer ${token}`;
        const response = await fetch(path, { headers, signal: signal ?? null });
        if (response.ok) return await response.json() as T;
        const detail = await problemDetail(response);
        if (response.status === 401) {
            forgetToken();
            await askForToken("This facade asks for a bearer token to read its API.");
            continue;
        }
        if (response.status === 403 && token) {
            forgetToken();
            await askForToken(`The token was not accepted: ${detail}`);
            continue;
        }
        throw new ApiError(response.status, `${response.status} ${detail}`);
    }
}

/** The detail of an application/problem+json answer, or its status text. */
async function problemDetail(response: Response): Promise<string> {
    try {
        const problem = await response.json() as { detail?: string; title?: string };
        return problem.detail ?? problem.title ?? response.statusText;
    } catch {
        return response.statusText;
    }
}

/** "/api/pods?namespace=shop&limit=100", leaving out empty parameters. */
export function apiPath(path: string, params: Record<string, string | number | null | undefined> = {}): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
        if (value !== null && value !== undefined && value !== "") query.set(key, String(value));
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
}

export const segment = encodeURIComponent;
