/**
 * A small History-API router: the server answers index.html for every
 * console path, and this picks the page. Links are real <a href>s (open in a
 * new tab works); plain clicks navigate without reloading.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
  /** The history entry's state (what `navigate` stored with it; null for a typed URL). */
  readonly state: unknown;
}

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one. */
  readonly replace?: boolean;
  /** Kept with the entry and given back when Back or Forward returns to it. */
  readonly state?: unknown;
}

interface RouterValue {
  readonly location: Location;
  readonly navigate: (to: string, options?: NavigateOptions) => void;
}

const RouterContext = createContext<RouterValue | null>(null);

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search), state: window.history.state as unknown };
}

export function RouterProvider({ children }: { children: ReactNode }): ReactNode {
  const [location, setLocation] = useState<Location>(current);
  useEffect(() => {
    const onPop = () => { setLocation(current()); };
    window.addEventListener("popstate", onPop);
    return () => { window.removeEventListener("popstate", onPop); };
  }, []);
  const navigate = useCallback((to: string, options: NavigateOptions = {}) => {
    const state = options.state ?? null;
    if (options.replace === true) window.history.replaceState(state, "", to);
    else window.history.pushState(state, "", to);
    setLocation(current());
    window.scrollTo(0, 0);
  }, []);
  const value = useMemo(() => ({ location, navigate }), [location, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const value = useContext(RouterContext);
  if (value === null) throw new Error("useRouter outside RouterProvider");
  return value;
}

/** Matches `/connectors/:name` against a path; parameters are URI-decoded. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const patternParts = pattern.split("/").filter((p) => p !== "");
  const pathParts = path.split("/").filter((p) => p !== "");
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = pathParts[index] ?? "";
    if (part.startsWith(":")) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) return null;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { readonly to: string };

export function Link({ to, onClick, children, ...rest }: LinkProps): ReactNode {
  const { navigate } = useRouter();
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest}>{children}</a>;
}
