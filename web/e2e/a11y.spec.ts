import { expect, test } from "@playwright/test";
import { apiAs, decorateTask, logInThroughForm, newUserOnTaskList, registerAccount, seedTasks, seriousViolations, uniqueEmail } from "./support";

// Every screen in both themes: the system's colour scheme picks the theme (public/theme.js).
for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    for (const width of [1280, 375]) {
      test(`no serious or critical accessibility violations on the main screens at ${width} px, ${colorScheme}`, async ({ page }) => {
        test.slow(); // a dozen screens, each scanned by axe: longer than one flow
        await page.setViewportSize({ width, height: 900 });

        await page.goto("/login");
        await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
        expect(await seriousViolations(page), "login").toEqual([]);

        await page.goto("/register");
        await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
        expect(await seriousViolations(page), "register").toEqual([]);

        const email = await newUserOnTaskList(page, "a11y");
        const [task] = await seedTasks(email, [
          { title: "Prepare the quarterly report", description: "Numbers from finance.", priority: 1, due_date: "2020-01-01T09:00:00Z" },
          { title: "Water the plants", priority: 3, completed: true },
          { title: "Call the plumber", priority: 2, due_date: "2031-06-01T15:00:00Z" },
        ]);
        await page.reload();
        await expect(page.getByTestId("task-row")).toHaveCount(3);
        await page.getByRole("button", { name: "New task" }).click();
        if (width < 768) await page.getByRole("button", { name: /Filters/ }).click();
        // On a phone a row's actions are a menu: scanned open.
        if (width < 576) await page.getByRole("button", { name: "Actions for “Call the plumber”" }).click();
        expect(await seriousViolations(page), "task list").toEqual([]);

        // A change says so in a toast with Undo, in the theme's colours; measured once it has come in.
        await page.getByRole("checkbox", { name: "Completed: Call the plumber" }).check();
        const toast = page.locator(".Toastify__toast").filter({ has: page.getByTestId("undo-toast") });
        await expect(toast).toBeVisible();
        await toast.evaluate((element) => Promise.all(element.getAnimations().map((animation) => animation.finished)));
        expect(await seriousViolations(page), "task list with an undo toast").toEqual([]);

        await decorateTask(email, task.id);
        await page.goto(`/tasks/${task.id}`);
        await expect(page.getByRole("heading", { name: "Prepare the quarterly report" })).toBeVisible();
        await expect(page.getByTestId("checklist-item")).toHaveCount(3);
        await expect(page.getByTestId("reminder")).toHaveCount(1);
        await page.getByRole("button", { name: "New tag" }).click();
        expect(await seriousViolations(page), "task detail").toEqual([]);

        await page.getByRole("button", { name: "Edit", exact: true }).click();
        await page.getByLabel("Repeat").selectOption({ label: "Weekly on chosen days" });
        expect(await seriousViolations(page), "task editor with recurrence").toEqual([]);

        await page.getByRole("link", { name: "Stats" }).click();
        await expect(page.getByRole("img", { name: /Tasks by priority/ })).toBeVisible();
        // "Water the plants" was created and completed today: the completion chart has a line to draw.
        await expect(page.getByRole("img", { name: /created and completed per day/ })).toBeVisible();
        expect(await seriousViolations(page), "stats").toEqual([]);

        await page.goto("/workspaces");
        await page.getByLabel("Workspace name").fill("Team");
        await page.getByRole("button", { name: "Create workspace" }).click();
        await page.getByRole("button", { name: "Invite someone to Team" }).click();
        expect(await seriousViolations(page), "workspaces").toEqual([]);

        await page.getByRole("link", { name: "Members of Team" }).click();
        await expect(page.getByRole("heading", { name: /Members.*Team/, level: 1 })).toBeVisible();
        await page.getByLabel("E-mail").fill("a11y-invitee@example.com");
        await page.getByRole("button", { name: "Invite", exact: true }).click();
        await expect(page.getByTestId("invitation-row")).toHaveCount(1);
        await page.getByRole("button", { name: "Leave workspace" }).click();
        await expect(page.getByRole("button", { name: "Yes, leave" })).toBeVisible();
        expect(await seriousViolations(page), "members").toEqual([]);

        await page.goto("/activity");
        await expect(page.getByRole("heading", { name: /Activity/ })).toBeVisible();
        expect(await seriousViolations(page), "activity").toEqual([]);

        await page.goto("/settings");
        await page.getByRole("button", { name: "Create a calendar feed URL" }).click();
        await expect(page.getByRole("textbox", { name: "Calendar feed URL" })).toBeVisible();
        if (width < 992) await page.getByRole("button", { name: "More" }).click();
        expect(await seriousViolations(page), "settings").toEqual([]);

        await page.goto("/verify-email?token=not-a-token");
        await expect(page.getByText(/This verification link is not valid/)).toBeVisible();
        expect(await seriousViolations(page), "verify e-mail, a bad link").toEqual([]);

        await page.goto("/no-such-page");
        await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
        expect(await seriousViolations(page), "page not found").toEqual([]);
      });
    }
  });
}

test("the task list can be used with the keyboard alone", async ({ page }) => {
  await newUserOnTaskList(page, "keyboard");
  await page.getByRole("button", { name: "New task" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("form", { name: "New task" }).getByLabel("Title")).toBeFocused();
  await page.keyboard.type("Typed without a mouse");
  await page.keyboard.press("Enter");
  const checkbox = page.getByRole("checkbox", { name: "Completed: Typed without a mouse" });
  await expect(checkbox).toBeVisible();
  await checkbox.focus();
  await page.keyboard.press("Space");
  await expect(checkbox).toBeChecked();
});

test.describe("account screens", () => {
  // A browser elsewhere than its account's UTC: the time zone question is on screen too.
  test.use({ timezoneId: "Europe/Berlin" });

  for (const colorScheme of ["light", "dark"] as const) {
    test.describe(`${colorScheme} theme`, () => {
      test.use({ colorScheme });

      for (const width of [1280, 375]) {
        test(`no serious or critical accessibility violations on the account screens at ${width} px, ${colorScheme}`, async ({ page, request }) => {
          await page.setViewportSize({ width, height: 900 });
          const ownerEmail = uniqueEmail("a11y-owner");
          await registerAccount(request, ownerEmail, "Olive Owner");
          const inviteeEmail = uniqueEmail("a11y-invitee");
          await registerAccount(request, inviteeEmail);
          const owner = await apiAs(ownerEmail);
          let link = "";
          try {
            const workspace = (await owner.call("POST", "/api/workspaces", { name: "Team" })) as { id: string };
            const invitation = (await owner.call("POST", `/api/workspaces/${workspace.id}/invitations`, { email: inviteeEmail, role: "editor" })) as { token: string };
            link = `/invitations/${invitation.token}`;
          } finally {
            await owner.dispose();
          }

          await page.goto(link);
          await expect(page.getByRole("region", { name: "Your invitation" })).toBeVisible();
          expect(await seriousViolations(page), "login with an invitation").toEqual([]);
          await page.getByRole("link", { name: "Create an account" }).click();
          await expect(page.getByRole("region", { name: "Your invitation" })).toBeVisible();
          expect(await seriousViolations(page), "register with an invitation").toEqual([]);

          await page.goto("/forgot-password");
          await page.getByLabel("E-mail").fill("not an address");
          await page.getByRole("button", { name: "Send the reset link" }).click();
          expect(await seriousViolations(page), "forgot password").toEqual([]);
          await page.getByLabel("E-mail").fill(inviteeEmail);
          await page.getByRole("button", { name: "Send the reset link" }).click();
          await expect(page.getByRole("status")).toBeVisible();
          expect(await seriousViolations(page), "forgot password, sent").toEqual([]);

          await page.goto("/reset-password/a11y-token");
          await page.getByLabel("New password", { exact: true }).fill("short");
          await page.getByRole("button", { name: "Set the new password" }).click();
          expect(await seriousViolations(page), "reset password").toEqual([]);

          await page.goto("/login");
          await logInThroughForm(page, inviteeEmail);
          await expect(page.getByRole("region", { name: "Use Europe/Berlin?" })).toBeVisible();
          expect(await seriousViolations(page), "time zone question").toEqual([]);

          await page.goto(link);
          await expect(page.getByTestId("invitation-summary")).toBeVisible();
          expect(await seriousViolations(page), "invitation").toEqual([]);
        });
      }
    });
  }
});
