/**
 * hubwidgets-launcher: a Launcher card and a command-palette entry "Hugging Face Hub Explorer"
 * that open a new notebook whose first cell is the explorer, ready to run:
 *
 *   import hubwidgets as hw
 *   hw.HubExplorer()
 *
 * Built at wheel build (labextension/hatch_build.py) into hubwidgets/labextension/, installed
 * to share/jupyter/labextensions/hubwidgets-launcher.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { ICommandPalette } from "@jupyterlab/apputils";
import { ILauncher } from "@jupyterlab/launcher";
import { LabIcon } from "@jupyterlab/ui-components";

/** The command's id (also what tests and users can run: app.commands.execute). */
export const COMMAND = "hubwidgets:open-explorer";
/** The label of the card and of the palette entry. */
export const LABEL = "Hugging Face Hub Explorer";
/** The new notebook's first cell. */
export const EXPLORER_CELL = "import hubwidgets as hw\nhw.HubExplorer()";
const CATEGORY = "Hugging Face";

const hubIcon = new LabIcon({
  name: "hubwidgets:hub",
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16">' +
    '<circle cx="12" cy="12" r="10" fill="#FFD21E"/>' +
    '<circle cx="8.5" cy="10" r="1.5" fill="#3A3B45"/><circle cx="15.5" cy="10" r="1.5" fill="#3A3B45"/>' +
    '<path d="M7.5 14.5q4.5 4 9 0" stroke="#3A3B45" stroke-width="1.6" fill="none" stroke-linecap="round"/>' +
    "</svg>",
});

/** What this plugin needs of the NotebookPanel that notebook:create-new returns. */
interface NotebookLike {
  context: { ready: Promise<void>; save(): Promise<void> };
  content: {
    model: { sharedModel: { cells: { setSource(source: string): void }[] } } | null;
  };
}

async function openExplorer(app: JupyterFrontEnd, cwd: string): Promise<NotebookLike> {
  const panel = (await app.commands.execute("notebook:create-new", {
    cwd,
    kernelName: "python3",
  })) as unknown as NotebookLike;
  await panel.context.ready;
  const cells = panel.content.model?.sharedModel.cells ?? [];
  if (cells.length > 0) cells[0].setSource(EXPLORER_CELL);
  return panel;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "hubwidgets-launcher:plugin",
  description: "A Launcher card and a palette entry that open a notebook with hw.HubExplorer()",
  autoStart: true,
  optional: [ILauncher, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
  ): void => {
    app.commands.addCommand(COMMAND, {
      label: LABEL,
      caption: "A new notebook with the Hub Explorer cell, ready to run",
      icon: (args) => (args.isPalette ? undefined : hubIcon),
      execute: async (args) => {
        const cwd = typeof args.cwd === "string" ? args.cwd : "";
        await openExplorer(app, cwd);
      },
    });
    launcher?.add({ command: COMMAND, category: CATEGORY, rank: 0 });
    palette?.addItem({ command: COMMAND, category: CATEGORY });
  },
};

export default plugin;
