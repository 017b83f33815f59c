// The keys of the live view. Ink subscribes an input handler in an effect, which runs after the
// frame is on screen; a key pressed in between would reach the handler of an older render. So
// the handler reads the screen state and actions of the latest render through a ref.
import { useInput } from "ink";
import { useRef } from "react";

export interface WatchKeyState {
  /** the stream stopped on its own: any key ends the view */
  ended: boolean;
  /** the help overlay is open: only ?, Esc and q (Ctrl-C) act */
  help: boolean;
}

export interface WatchKeyActions {
  quit(kind: "quit" | "interrupted"): void;
  leave(): void;
  setHelp(open: boolean): void;
  togglePause(): void;
  sampleNow(): void;
  changeInterval(direction: "faster" | "slower"): void;
  mark(): void;
  snapshot(): void;
  /** the residue list: a line, a page, or to an end */
  scroll(step: ScrollStep): void;
  /** the residue list's order: by id, by |residue| */
  toggleSort(): void;
}

export interface ScrollStep {
  direction: "up" | "down";
  by: "line" | "page" | "all";
}

export function useWatchKeys(state: WatchKeyState, actions: WatchKeyActions): void {
  const latest = useRef({ state, actions });
  latest.current = { state, actions };
  useInput((input, key) => {
    const { state: now, actions: act } = latest.current;
    if (now.ended) return act.leave();
    if (key.ctrl && input === "c") return act.quit("interrupted");
    if (input === "q") return act.quit("quit");
    if (now.help) {
      if (input === "?" || key.escape) act.setHelp(false);
      return;
    }
    if (input === "?") return act.setHelp(true);
    if (input === " ") return act.togglePause();
    if (input === "r") return act.sampleNow();
    if (input === "+" || input === "=") return act.changeInterval("faster");
    if (input === "-" || input === "_") return act.changeInterval("slower");
    if (input === "m") return act.mark();
    if (input === "s") return act.snapshot();
    if (input === "o") return act.toggleSort();
    if (key.upArrow || input === "k") return act.scroll({ direction: "up", by: "line" });
    if (key.downArrow || input === "j") return act.scroll({ direction: "down", by: "line" });
    if (key.pageUp) return act.scroll({ direction: "up", by: "page" });
    if (key.pageDown) return act.scroll({ direction: "down", by: "page" });
    if (key.home || input === "g") return act.scroll({ direction: "up", by: "all" });
    if (key.end || input === "G") return act.scroll({ direction: "down", by: "all" });
  });
}
