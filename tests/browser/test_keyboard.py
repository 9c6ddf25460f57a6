"""The site works with a keyboard alone and without JavaScript."""

import pytest

pytestmark = pytest.mark.browser


def test_filter_form_by_keyboard_alone(page, live_server, site):
    page.goto(live_server.url + "/recommendations/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    focused = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent"))
        if focused[-1] == "Filter":
            break
    assert focused[-1] == "Filter", f"Tab never reached the Filter disclosure: {focused}"
    page.keyboard.press("Enter")  # opens the folded filters
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_status"
    page.keyboard.press("ArrowDown")  # "Any status" → "Resolved"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_section"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_owner"
    page.keyboard.type("M")  # a closed select jumps to the first owner starting with M
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_board"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("exercise")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recommendations/?**")
    assert "status=resolved" in page.url
    assert "q=exercise" in page.url
    assert page.locator("h2 a").all_inner_texts() == ["Recommendation 32"]
    assert "1 recommendation" in page.locator("[role=status]").inner_text()


def test_site_works_without_javascript(browser, live_server, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/recommendations/")
    page.click("summary")
    page.select_option("#id_status", "ongoing")
    page.click("button[type=submit]")
    page.wait_for_url("**status=ongoing**")
    assert page.locator("h2 a").all_inner_texts() == ["Recommendation 13"]
    context.close()
