// Colours of the live view, in one place so that the output policy (NO_COLOR, --no-color: see
// src/output/output-policy.ts) turns all of them off at once. chalk, under Ink, does not read
// NO_COLOR itself.
import { createContext, useContext, type ReactNode } from "react";

export interface Theme {
  /** what get_mm_counter() returns: the lagging value most readers show */
  cached?: string;
  /** percpu_counter_sum(): the truth */
  exact?: string;
  /** exact − cached */
  drift?: string;
  /** negative residue (a free on another CPU than the fault) */
  negative?: string;
  /** titles and key names */
  accent?: string;
  /** a paused view, a bound nearly reached */
  warn?: string;
  /** process exited, helper failed */
  error?: string;
}

const colourful: Theme = {
  cached: "yellow",
  exact: "green",
  drift: "magenta",
  negative: "cyan",
  accent: "blue",
  warn: "yellow",
  error: "red",
};

const colourless: Theme = {};

/** the live view's colours, or none: `color` is the output policy's */
export function themeFor(color: boolean): Theme {
  return color ? colourful : colourless;
}

const ThemeContext = createContext<Theme>(colourful);

export function ThemeProvider({ theme, children }: { theme: Theme; children: ReactNode }) {
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
