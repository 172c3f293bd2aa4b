#!/usr/bin/env python3
"""Write small, realistic sample raw data for the lingualign pipeline.

Running ``python tools/make_samples.py`` from the repository root (re)writes:

* ``data/raw/orca_dpo_pairs.jsonl``              (Intel/orca_dpo_pairs schema)
* ``data/raw/ultrafeedback.jsonl``               (openbmb/UltraFeedback schema)
* ``data/raw/ultrafeedback_binarized.jsonl``     (argilla/ultrafeedback-binarized-preferences-cleaned schema)
* ``data/raw/support_tickets.csv``               (generic CSV for the generic reader)

An optional first argument writes the files to another directory instead
(``python tools/make_samples.py /tmp/samples``).

All content is hand-written and held below as plain Python data. The script is
stdlib-only and fully deterministic: it uses no randomness, no clock and no
environment-dependent values, so every run produces byte-identical files.

The texts deliberately contain the awkward things real scraped data contains:
multi-line answers, nested markdown lists, tables, fenced code (with indented
code inside), CRLF line endings inside some answers, accents / emoji / CJK /
math symbols / non-breaking spaces, empty and whitespace-only answers, single
word answers and a few very long (5k-12k character) answers.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = REPO_ROOT / "data" / "raw"

NBSP = "\u00a0"  # non-breaking space
NNBSP = "\u202f"  # narrow non-breaking space (French typography, "10 %")


def crlf(text: str) -> str:
    """Return *text* with Windows line endings, as found in data pasted from Windows tools."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# ---------------------------------------------------------------------------
# Orca-style system prompts (they repeat across many rows, as in the real data)
# ---------------------------------------------------------------------------

SYS_DETAIL = (
    "You are an AI assistant. You will be given a task. You must generate a detailed and long answer."
)
SYS_FIVE = (
    "You are a helpful assistant, who always provide explanation. "
    "Think like you are answering to a five year old."
)
SYS_FOLLOW = (
    "You are an AI assistant that follows instruction extremely well. Help as much as you can."
)
SYS_STEP = (
    "You are an AI assistant. User will you give you a task. Your goal is to complete the task "
    "as faithfully as you can. While performing the task think step-by-step and justify your steps."
)
SYS_TEACH = (
    "You are a teacher. Given a task, you explain in simple steps what the task is asking, "
    "any guidelines it provides and how to use those guidelines to find an answer."
)
SYS_NONE = ""

# Short aliases used in the row tables below.
D, F5, FOL, STEP, TEACH, NONE = SYS_DETAIL, SYS_FIVE, SYS_FOLLOW, SYS_STEP, SYS_TEACH, SYS_NONE


# ---------------------------------------------------------------------------
# Very long answers (5k-12k characters). Used once each in the files below.
# ---------------------------------------------------------------------------

LONG_ROUTER_GUIDE = """# Troubleshooting evening Wi-Fi dropouts on a FRITZ!Box 7530

Evening dropouts are almost always caused by one of three things: congestion on the Wi-Fi channel (your neighbours come home and switch on their streaming boxes), a DSL line that becomes unstable when the cable bundle in the street gets busier, or a single device in your home that floods the network. The steps below go from the quickest checks to the more involved ones. Work through them in order and write down what you see at each step \u2013 if you end up calling your provider, these notes will save you a lot of time.

## 1. Find out *what* is actually dropping

Before you change any settings, figure out whether the **Wi-Fi** or the **internet connection** is failing. These are two different problems with different fixes:

| Symptom | Likely cause | Where to look |
|---|---|---|
| Wi-Fi icon disappears, devices reconnect | Interference or channel congestion | Section 3 |
| Wi-Fi stays connected but pages don't load | DSL sync loss or DNS problems | Sections 2 and 4 |
| Only one device is affected | Driver or power-saving issue on that device | Section 5 |
| Wired *and* wireless devices drop | Router or line problem | Sections 2 and 6 |

A simple test: plug a laptop into one of the yellow LAN ports with a cable. If the wired laptop keeps working while the phones lose their connection, the line is fine and you are dealing with a Wi-Fi problem.

## 2. Check the DSL line statistics

1. Open `http://fritz.box` in a browser and log in with the password printed on the sticker underneath the router.
2. Go to **Internet \u2192 DSL Information \u2192 Overview**.
3. Look at the following values:
   - **Connection losses / resyncs** in the last 24 hours. More than one or two per day is a problem.
   - **Signal-to-noise margin** (SNR). Values below 6\u00a0dB downstream are a warning sign.
   - **CRC errors** per minute. A handful is normal; hundreds per minute in the evening are not.
4. Open the **Spectrum** tab around 8\u00a0pm and compare it with a screenshot taken in the morning. Gaps that only appear in the evening point to crosstalk from other lines in the same cable bundle.

If the router reports a resync every evening, the problem is on the line and not in your home. Skip to section 6 and contact your provider with the event log.

## 3. Reduce Wi-Fi interference

Most dropouts that only affect wireless devices can be fixed here.

1. Go to **Wi-Fi \u2192 Radio Channel** and switch the radio channel settings to *Adjust radio channel settings*.
2. For the 2.4\u00a0GHz band:
   - choose channel **1, 6 or 11** \u2013 these are the only channels that do not overlap with each other;
   - set the channel width to **20\u00a0MHz**. 40\u00a0MHz doubles the theoretical speed, but in a busy apartment block it mostly doubles the interference.
3. For the 5\u00a0GHz band:
   - leave the channel on *Auto* unless you see frequent DFS radar events in the event log;
   - if you do, pick a channel between 36 and 48, which is not subject to radar detection.
4. Enable **band steering** so that capable phones and laptops prefer 5\u00a0GHz.
5. Move the router away from:
   - metal shelves, radiators and fish tanks,
   - the microwave (it radiates on 2.4\u00a0GHz while it is running),
   - DECT base stations and baby monitors.

> Tip: the **Wi-Fi \u2192 Radio Network** page lists every neighbouring network and the channel it uses. If twelve networks share channel 6, move to 1 or 11.

## 4. Rule out DNS problems

Sometimes the connection is up but name resolution fails, which looks exactly like a dropout in the browser. Test it from a laptop while the problem is happening:

```bash
# Does the raw connection work?
ping -c 4 1.1.1.1

# Does name resolution work?
nslookup example.com

# Which DNS server is the laptop actually using? (Linux)
resolvectl status | grep -A2 "DNS Servers"
```

On Windows, use `ping -n 4 1.1.1.1` instead. If the first command succeeds and the second one fails, change the DNS servers under **Internet \u2192 Account Information \u2192 DNS Server** to resolvers of your choice and test again.

## 5. Check the affected devices

If only one laptop or phone drops:

- Update the Wi-Fi driver (Windows: Device Manager, macOS: Software Update).
- Disable aggressive power saving for the Wi-Fi adapter:
  - Windows: *Device Manager \u2192 Network adapters \u2192 your adapter \u2192 Power Management* \u2192 untick "Allow the computer to turn off this device to save power".
  - Android: disable *Adaptive Wi-Fi* or *Wi-Fi scanning* in the connection settings.
  - iOS: turn off *Private Wi-Fi Address* for your home network once to rule it out.
- Forget the network and reconnect. Old profiles sometimes keep a wrong security mode (WPA2 vs. WPA3 transition mode).

If you want to see exactly when a device loses the connection, leave a small script running on a laptop for an evening:

```python
import subprocess
import time
from datetime import datetime

HOST = "1.1.1.1"

while True:
    ok = subprocess.run(
        ["ping", "-c", "1", "-W", "2", HOST],
        stdout=subprocess.DEVNULL,
    ).returncode == 0
    if not ok:
        print(f"{datetime.now():%H:%M:%S}  no reply from {HOST}", flush=True)
    time.sleep(5)
```

## 6. Collect logs and contact your provider

If the DSL statistics show resyncs, export the event log before you call:

1. Go to **System \u2192 Event Log** and select *Internet connection*.
2. Click **Save** or copy the entries into a text file.
3. Note the exact times of the dropouts for at least three evenings.

A short, factual message works best, for example:

```text
Customer number: 1234567
Line: VDSL 100
Problem: connection drops 3-5 times between 19:00 and 23:00 since 12 March.
Router log: "DSL synchronization lost" at 19:42, 20:15, 21:03 (log attached).
SNR margin downstream drops from 9 dB (morning) to 4 dB (evening).
Wired test: dropouts also occur on a cable-connected laptop.
```

Your provider can then check the line profile remotely and, if necessary, switch you to a more stable profile (slightly lower speed, far fewer resyncs) or send a technician to check the in-house wiring and the first socket.

## 7. When to consider replacing hardware

Only after the steps above:

- If the router regularly reboots by itself, install the latest firmware (**System \u2192 Update**) first. A reboot loop after an update is a warranty case, not something you have to live with.
- If the signal is weak in some rooms, a mesh repeater placed *halfway* between the router and the dead spot works much better than a repeater placed in the dead spot itself.
- Powerline adapters are worth a try in old buildings with thick walls, but they can themselves cause DSL interference \u2013 unplug them for one evening as a test.

## Quick checklist

- [ ] Wired test done \u2013 is it the Wi-Fi or the line?
- [ ] DSL statistics checked in the evening, not just in the morning
- [ ] 2.4\u00a0GHz set to channel 1, 6 or 11 with 20\u00a0MHz width
- [ ] DNS test done while the problem was happening
- [ ] Event log saved for at least three evenings

Following these steps solves the vast majority of "it only drops in the evening" problems. If none of them helps, the log you collected is exactly what the technician needs to find the fault quickly. Good luck \U0001f44d"""


LONG_GDPR_GUIDE = """Sure \u2013 below is a complete walkthrough for making a data subject access request (DSAR) under Article 15 GDPR, followed by a template you can copy.

## What you are entitled to

Under Art. 15 GDPR, any company that processes your personal data must tell you, on request:

1. **Whether** they process personal data about you at all.
2. A **copy** of that data (Art. 15(3)) \u2013 the first copy is free of charge.
3. The **purposes** of the processing.
4. The **categories** of data concerned (e.g. contact data, payment data, usage logs).
5. The **recipients** or categories of recipients, in particular recipients in third countries.
6. The planned **storage period**, or the criteria used to determine it.
7. Your rights to rectification, erasure, restriction and objection.
8. Your right to lodge a complaint with a supervisory authority.
9. The **source** of the data, if it was not collected from you directly.
10. Whether **automated decision-making** (including profiling) takes place, and meaningful information about the logic involved.

## Deadlines at a glance

| Step | Deadline | Legal basis |
|---|---|---|
| Company must respond | 1 month after receipt | Art. 12(3) |
| Possible extension (complex requests) | + 2 months, must be justified within the first month | Art. 12(3) |
| Fee for the first copy | none | Art. 15(3) |
| Fee for additional copies | "reasonable fee" based on administrative costs | Art. 15(3) |

## Step by step

1. **Find the right contact.**
   - Look for the privacy policy (usually linked in the footer as *Privacy*, *Datenschutz* or *Confidentialit\u00e9*).
   - Use the address of the **data protection officer** (DPO) if one is listed; otherwise use the general contact address of the controller.
2. **Identify yourself \u2013 but only as much as needed.**
   - Give the email address, customer number or username the company knows you by.
   - You do *not* have to send a copy of your ID card unless the company has reasonable doubts about your identity (Art. 12(6)). If they insist, you may black out everything except name, photo and date of birth.
3. **Send the request in writing.** Email is enough. Keep a copy with the date you sent it.
4. **Set a reminder** for one month later.
5. **Check the answer.** A complete answer contains both the *copy* of the data and the *information* listed above. A link to the privacy policy alone is not a complete answer.
6. **Follow up or escalate.** If nothing arrives, send a short reminder with a 14-day deadline. If that is ignored too, file a complaint with the supervisory authority in your country or in the country where the company is based.

## Template

> **Subject:** Request for access to personal data pursuant to Art. 15 GDPR
>
> Dear Sir or Madam,
>
> I hereby request access to the personal data you process about me, pursuant to Article 15 of the General Data Protection Regulation (GDPR).
>
> Please provide me with:
>
> 1. confirmation as to whether or not you process personal data concerning me;
> 2. a copy of all personal data concerning me (Art. 15(3) GDPR), preferably in a commonly used electronic format;
> 3. the information listed in Art. 15(1)(a)-(h) GDPR, in particular the purposes, the recipients, the storage period and the source of the data.
>
> To help you identify me: I have been a customer since 2019, my customer number is **[customer number]** and my email address is **[email]**.
>
> Please respond within the one-month period set out in Art. 12(3) GDPR.
>
> Kind regards,
> [Name]

## What a good export looks like

Many companies provide the copy as a ZIP archive with JSON or CSV files. A well-structured export is easy to check. For example, an online shop might return something like this:

```json
{
  "customer": {
    "id": "C-0048213",
    "name": "Ren\u00e9e M\u00fcller",
    "email": "renee.mueller@example.org",
    "created_at": "2019-04-02T10:15:00Z"
  },
  "orders": [
    {"order_id": "A-77120", "date": "2023-11-28", "total": "89.90 EUR", "status": "delivered"},
    {"order_id": "A-80411", "date": "2024-02-14", "total": "24.99 EUR", "status": "refunded"}
  ],
  "marketing": {
    "newsletter": true,
    "consent_given_at": "2019-04-02T10:16:41Z",
    "tracking_segments": ["sports", "outdoor"]
  },
  "shared_with": ["payment provider", "parcel carrier", "email service provider"]
}
```

If you are comfortable with a terminal, you can quickly list which fields were included:

```bash
unzip my_data_export.zip -d export
jq 'paths | map(tostring) | join(".")' export/customer.json | sort -u | head -50
```

Things to look out for:

- **Marketing segments or scores** (`tracking_segments` above). These are personal data too and must be included.
- **Support tickets and call recordings.** They are frequently forgotten.
- **Log data** (IP addresses, device IDs). Companies sometimes claim these are not personal data \u2013 in most cases they are.
- **Data received from third parties**, such as credit agencies or address brokers. Art. 15(1)(g) requires them to name the source.

## Common pitfalls

- *"We need your passport first."* Only if there are reasonable doubts about your identity. Ask them to explain why the data you already provided is insufficient.
- *"Please use our web form."* Companies may offer a form, but they cannot refuse a request just because it was sent by email or letter.
- *"The data is too large to send."* They may ask you to specify the request if they process a large amount of data (Recital 63), but they still have to answer.
- *"We will charge \u20ac25 for the export."* The first copy is free.

## After you receive the data

- Wrong data? Request **rectification** under Art. 16.
- Data you no longer want them to keep? Request **erasure** under Art. 17 \u2013 note that legal retention obligations (for example, invoices must usually be kept for several years for tax purposes) can override this for some records.
- Don't want marketing any more? Withdraw consent (Art. 7(3)) and object to direct marketing (Art. 21(2)); the objection to direct marketing is absolute.

I hope this helps! If you tell me which company and which country you are in, I can point you to the competent supervisory authority."""


LONG_INVOICE_SCRIPT = """Here is a small, dependency-free tool that does exactly that. It reads one or more CSV exports, removes duplicate invoices (the same invoice number exported twice), normalises amounts written in European format (`1.234,56\u00a0\u20ac`) and prints the total per customer.

## The script

```python
#!/usr/bin/env python3
'''Sum invoice totals per customer from one or more CSV exports.'''

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path


def parse_amount(raw: str) -> Decimal:
    '''Parse "1.234,56 EUR", "1,234.56" or "99" into a Decimal.'''
    text = raw.replace("\\u20ac", "").replace("EUR", "").replace("\\u00a0", "").strip()
    if "," in text and "." in text:
        # Whichever separator comes last is the decimal separator.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"cannot parse amount {raw!r}") from exc


def read_invoices(paths: list[Path]) -> dict[str, dict[str, str]]:
    '''Return invoices keyed by invoice number; later files win.'''
    invoices: dict[str, dict[str, str]] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                number = row["invoice_no"].strip()
                if not number:
                    continue
                invoices[number] = row
    return invoices


def totals_per_customer(invoices: dict[str, dict[str, str]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in invoices.values():
        if row.get("status", "").lower() == "cancelled":
            continue
        totals[row["customer"].strip()] += parse_amount(row["amount"])
    return dict(totals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--min", type=Decimal, default=Decimal("0"),
                        help="only show customers with at least this total")
    args = parser.parse_args(argv)

    invoices = read_invoices(args.files)
    totals = totals_per_customer(invoices)
    writer = csv.writer(sys.stdout)
    writer.writerow(["customer", "invoices_total"])
    for customer, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        if total >= args.min:
            writer.writerow([customer, f"{total:.2f}"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
```

## How it works

1. **`parse_amount`** strips the currency sign, `EUR` and non-breaking spaces, then decides which character is the decimal separator:
   - `1.234,56` \u2192 the comma comes last, so it is the decimal separator \u2192 `1234.56`
   - `1,234.56` \u2192 the dot comes last \u2192 `1234.56`
   - `12,5` \u2192 only a comma \u2192 `12.5`
2. **`read_invoices`** keeps one row per invoice number. Because later files overwrite earlier ones, you can pass the exports in chronological order and corrections win automatically.
3. **`totals_per_customer`** skips cancelled invoices and sums the rest with `Decimal`, so you never get `0.30000000000000004`-style rounding errors.
4. The output is sorted by total (largest first) and then by name, so it is stable between runs.

## Usage

```bash
python invoice_totals.py exports/2024-01.csv exports/2024-02.csv > totals.csv

# only customers above 1,000 EUR
python invoice_totals.py exports/*.csv --min 1000
```

Example input (`exports/2024-01.csv`):

```text
invoice_no,customer,amount,status
R-1001,Caf\u00e9 Lumi\u00e8re GmbH,"1.234,56 \u20ac",paid
R-1002,Zoe's Bakery,"89,90 \u20ac",paid
R-1002,Zoe's Bakery,"89,90 \u20ac",paid
R-1003,Nordwind AG,"450,00 \u20ac",cancelled
```

Output:

```text
customer,invoices_total
Caf\u00e9 Lumi\u00e8re GmbH,1234.56
Zoe's Bakery,89.90
```

The duplicated `R-1002` is counted once and the cancelled invoice is ignored.

## Tests

A few `pytest` tests cover the tricky parts:

```python
from decimal import Decimal

import pytest

from invoice_totals import parse_amount, totals_per_customer


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1.234,56 \u20ac", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("12,5", Decimal("12.5")),
        ("99", Decimal("99")),
    ],
)
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == expected


def test_cancelled_invoices_are_skipped():
    invoices = {
        "R-1": {"customer": "A", "amount": "10,00", "status": "paid"},
        "R-2": {"customer": "A", "amount": "5,00", "status": "Cancelled"},
    }
    assert totals_per_customer(invoices) == {"A": Decimal("10.00")}


def test_garbage_amount_raises():
    with pytest.raises(ValueError):
        parse_amount("n/a")
```

Run them with:

```bash
python -m pytest -q
```

## Possible extensions

- **Currencies:** if your exports mix EUR and USD, add a `currency` column and group by `(customer, currency)` instead of converting silently.
- **Credit notes:** negative amounts (`-49,00`) are already handled by `Decimal`, so credit notes reduce the total as expected.
- **Excel:** if the exports come from Excel with a semicolon delimiter, open the file with `csv.DictReader(handle, delimiter=";")` \u2013 or detect it with `csv.Sniffer().sniff(handle.read(2048))`.

Let me know if you would like a version that writes an `.xlsx` file or sends the summary by email."""


LONG_CANCELLATION_POLICY = crlf("""Thank you for reaching out, and I'm sorry the renewal came as a surprise. Below is a complete overview of how cancellation, refunds and the different plan types work, so you can choose the option that suits you best.

# 1. Your current situation

According to the details you shared:

- Plan: **Premium Annual** (billed yearly)
- Renewal date: **3 March**
- Amount charged: **\u20ac119.88**
- Usage since renewal: none

Because you contacted us within 14 days of the renewal and have not used the service since, you are eligible for a **full refund** of the renewal charge.

# 2. How to cancel

You can cancel yourself in a few clicks:

1. Sign in at https://account.example.com.
2. Open **Account \u2192 Subscription**.
3. Click **Cancel subscription**.
4. Choose a reason (optional \u2013 it helps us improve) and confirm.
5. You will receive a confirmation email within a few minutes. Please keep it; it is your proof of cancellation.

If you subscribed through a third party, the cancellation has to happen there:

| Where you subscribed | Where to cancel |
|---|---|
| Our website | Account \u2192 Subscription |
| Apple App Store | iPhone Settings \u2192 your name \u2192 Subscriptions |
| Google Play | Play Store \u2192 profile icon \u2192 Payments & subscriptions |
| Bundled with your mobile contract | Your mobile provider's customer portal |

# 3. Refund rules

## 3.1 Monthly plans

- Cancelling stops the *next* renewal. You keep access until the end of the month you already paid for.
- Partial months are **not** refunded, except where required by law or when a technical fault on our side prevented you from using the service.

## 3.2 Annual plans

- **Within 14 days** of the first purchase or of a renewal: full refund, no questions asked.
- **After 14 days**: we refund the unused full months, minus the discount you received for paying annually. Example:
  - Annual price: \u20ac119.88 (equivalent to \u20ac9.99/month)
  - Regular monthly price: \u20ac12.99
  - Cancelled after 4 months: 4 \u00d7 \u20ac12.99 = \u20ac51.96 is treated as used
  - Refund: \u20ac119.88 \u2212 \u20ac51.96 = **\u20ac67.92**

## 3.3 Gift subscriptions and vouchers

Gift subscriptions cannot be refunded to the recipient. The person who bought the gift can contact us within 14 days of purchase.

# 4. How the refund is paid

Refunds always go back to the original payment method:

- Credit card: 5-10 business days, depending on your bank.
- PayPal: usually within 24 hours.
- SEPA direct debit: 3-5 business days.
- App Store / Google Play: refunds must be requested from Apple or Google directly; we cannot trigger them.

If the card you paid with has expired or been replaced, the refund will normally still reach you: card networks forward refunds to the new card linked to the same account. If it bounces, we will contact you for an alternative.

# 5. Alternatives to cancelling

If the price or timing is the issue rather than the product, you might prefer one of these options:

1. **Pause** your subscription for 1-3 months. You are not charged during the pause, and your settings and history are kept.
2. **Switch to monthly** billing. The change takes effect at the next renewal; for you we can apply it immediately and refund the difference.
3. **Downgrade to Basic** (\u20ac4.99/month), which keeps your saved data but removes offline downloads and the family profiles.

# 6. What happens to your data

After cancellation your account stays active as a free account. Your playlists, settings and history are kept, so you can come back at any time. If you would like us to delete your account and all associated personal data, reply to this email with "please delete my account" \u2013 we will confirm the deletion within 30 days, as required by the GDPR. Invoices are an exception: we are legally required to keep them for up to 10 years, but they are stored separately and only used for accounting.

# 7. Next steps for you

I have already done the following on our side:

- [x] Cancelled the auto-renewal of your Premium Annual plan
- [x] Issued a full refund of \u20ac119.88 to your Visa card ending in 4421
- [ ] Nothing else is needed from you

You should see the refund on your statement within 5-10 business days. The transaction will appear as "EXAMPLE*REFUND 119.88".

If you have any other questions, just reply to this email \u2013 it goes straight back to me, not to a general queue.

Kind regards,
Mar\u00eda
Customer Care Team""")


LONG_PRINTER_GUIDE = """## Getting a network printer back online after a router change

When you replace your router, every Wi-Fi device has to join the new network \u2013 printers included. Printers are the most stubborn of them because they have tiny screens (or none at all) and often remember the old network forever. Here is a step-by-step guide that works for most HP, Canon, Epson and Brother inkjet and laser printers.

### Before you start

Collect the following:

- the **new network name (SSID)** and **Wi-Fi password** \u2013 usually printed on the back of the new router;
- the printer model number (on the front or on a label inside the paper tray);
- a laptop or phone that is already connected to the new network.

Also check which bands your printer supports. Many printers, especially models older than about 2018, only support **2.4\u00a0GHz**. If your new router uses one combined network name for 2.4 and 5\u00a0GHz, that is usually fine, but some printers fail to join such networks. In that case, temporarily create a separate 2.4\u00a0GHz network (see step 6).

### Step 1 \u2013 Restart everything in the right order

1. Switch off the printer.
2. Restart the router and wait until the internet light is steady (2-3 minutes).
3. Switch the printer back on.

This alone sometimes works if you kept the old network name and password on the new router.

### Step 2 \u2013 Reset the printer's network settings

Old settings can prevent the printer from joining a new network. Reset only the *network* settings, not the whole printer:

- **HP:** on the control panel go to *Wireless \u2192 Settings \u2192 Restore Network Settings*. On models without a display, hold the Wireless and Cancel buttons together for 3 seconds.
- **Canon:** *Setup \u2192 Device settings \u2192 Reset setting \u2192 LAN settings*.
- **Epson:** *Settings \u2192 Restore Default Settings \u2192 Network Settings*.
- **Brother:** *Menu \u2192 Network \u2192 Network Reset*.

The printer will restart afterwards.

### Step 3 \u2013 Connect the printer to the new network

There are three ways, from easiest to most reliable:

1. **WPS push button**
   - Press the WPS button on the router (sometimes labelled with two arrows).
   - Within 2 minutes, start WPS on the printer (usually *Wireless \u2192 Wi-Fi Protected Setup \u2192 Push Button*).
   - Wait for the wireless light to stop blinking.
2. **Setup wizard on the printer's display**
   - Choose *Wireless Setup Wizard*, pick your new network name and type the password.
   - Note: passwords are case-sensitive, and some printers do not support all special characters. If your password contains characters like `\u00a7`, `\u00e4` or `\u00b4`, change it to ASCII-only characters.
3. **Manufacturer app**
   - Install the app from the manufacturer (HP Smart, Canon PRINT, Epson Smart Panel, Brother Mobile Connect).
   - The app finds the printer in setup mode and sends the Wi-Fi credentials for you.

### Step 4 \u2013 Print a network configuration page

Every printer can print a page with its current network status. Look for:

| Field | What you want to see |
|---|---|
| Network status | Connected / Online |
| SSID | Your **new** network name |
| IP address | Something like 192.168.178.x or 192.168.1.x, not 0.0.0.0 or 169.254.x.x |
| Signal strength | At least 2 of 4 bars, or better than \u221270\u00a0dBm |

An address starting with **169.254** means the printer joined the Wi-Fi but did not get an address from the router. Restart the printer once more; if it persists, check that DHCP is enabled on the router.

### Step 5 \u2013 Re-add the printer on your computers

Your computers still point at the printer's *old* address, so you have to add it again.

**Windows 10/11**

1. Open *Settings \u2192 Bluetooth & devices \u2192 Printers & scanners*.
2. Remove the old printer entry.
3. Click **Add device** and select the printer when it appears.
4. If it does not appear, click *Add manually* and enter the IP address from the configuration page.

**macOS**

1. Open *System Settings \u2192 Printers & Scanners*.
2. Remove the old printer with the **\u2212** button.
3. Click **Add Printer, Scanner or Fax\u2026** and choose the printer from the list (it is usually shown as *Bonjour*).

**Linux (CUPS)**

```bash
# find printers announced on the network
lpinfo -v | grep -i -E "dnssd|ipp"

# add it with IPP Everywhere (no driver needed on most modern printers)
sudo lpadmin -p office-printer -E -v "ipp://192.168.178.37/ipp/print" -m everywhere
lpstat -p office-printer
```

### Step 6 \u2013 If the printer still won't connect

- **Separate the bands.** In the router settings, give the 2.4\u00a0GHz network its own name (for example *HomeNet-2G*), connect the printer to it, then check whether it keeps working.
- **Security mode.** Set the router to *WPA2 (CCMP)* or *WPA2/WPA3 mixed*. Several older printers cannot join *WPA3-only* networks.
- **Distance.** Move the printer closer to the router for the setup. Once connected, you can move it back and check the signal strength on the configuration page.
- **Firmware.** Update the printer firmware through the manufacturer app or the printer's web interface. Updates regularly fix connection problems with newer routers.
- **Reserve an IP address.** In the router's DHCP settings, give the printer a fixed address. Then your computers will always find it at the same place, even after the router restarts.

### Step 7 \u2013 Optional: connect by cable

If your printer has an Ethernet port and the router is nearby, a cable is by far the most reliable option. Plug it in, wait a minute, and re-add the printer on your computers as described in step 5.

### Summary

1. Restart router, then printer.
2. Reset the printer's network settings.
3. Connect via WPS, the setup wizard or the manufacturer app.
4. Print a configuration page and check SSID and IP address.
5. Remove and re-add the printer on every computer.
6. Separate 2.4\u00a0GHz, use WPA2, update firmware if needed.

In nine out of ten cases the printer is back online after step 5. If you tell me the exact printer model and what the configuration page says, I can give you more specific instructions."""


# ---------------------------------------------------------------------------
# orca_dpo_pairs: customer-support flavoured rows  (system, question, chosen, rejected)
# ---------------------------------------------------------------------------

ORCA_SUPPORT = [
    (
        D,
        "My internet keeps dropping every evening between 7 and 11 pm. I have a FRITZ!Box 7530 on a VDSL line. What can I do?",
        LONG_ROUTER_GUIDE,
        "Restart your router. If that doesn't help, call your provider.",
    ),
    (
        NONE,
        "I was charged twice for order #A-55902 (two identical charges of \u20ac49.90 on my credit card). How do I get my money back?",
        """I'm sorry about the double charge \u2013 that's frustrating. Here is what usually happens and what you can do:

1. **Check whether one charge is only a pre-authorisation.** Many card issuers show a temporary "pending" hold in addition to the final charge. Pending holds normally disappear on their own within 3-7 business days.
2. **If both charges are final (booked)**, contact the shop's support with:
   - your order number (`A-55902`),
   - the date and amount of both charges,
   - a screenshot of your card statement (you can black out everything except the two lines).
3. The shop will refund the duplicate to the **same card**. Card refunds typically take 5-10 business days to show up.
4. If the shop doesn't respond within two weeks, you can ask your bank to start a **chargeback** for the duplicate transaction.

Don't cancel the order itself \u2013 that could trigger a refund of the *valid* charge too and make the situation more confusing.""",
        "You need to wait. Refunds take time.",
    ),
    (
        FOL,
        "Write a short, polite reply to a customer whose parcel has been stuck in transit for 10 days. Order number: 100-4471. Offer a replacement or refund.",
        """Subject: Your order 100-4471 \u2013 we're on it

Hi there,

Thank you for your patience, and I'm really sorry that your parcel has been stuck in transit for 10 days. That's not the experience we want you to have.

I've contacted the carrier and opened an investigation. In the meantime, you don't have to wait any longer \u2013 just let me know which option you prefer:

- **Replacement:** we ship a new parcel today with express delivery at no extra cost.
- **Full refund:** we refund the full amount to your original payment method within 3\u20135 business days.

If the original parcel turns up after all, you're welcome to keep it or send it back with the prepaid label we'll email you.

Kind regards,
Jonas
Customer Support""",
        """Hi,

Parcels sometimes take longer. Please wait another week and contact us again if it still hasn't arrived.

Regards""",
    ),
    (
        F5,
        "Why didn't I get the password reset email? I clicked 'forgot password' three times.",
        """Okay, imagine you sent three letters to your friend, but none arrived. There are a few places they could be hiding!

1. **The spam box.** Sometimes email programs think these letters look like junk and hide them in a folder called *Spam* or *Junk*. Look there first.
2. **The wrong mailbox.** Maybe your account uses a different email address, like an old school or work address. The letter goes to *that* mailbox.
3. **A little typo.** If the address was typed as `anna@gmial.com` instead of `anna@gmail.com`, the letter gets lost.
4. **It's still on its way.** Sometimes letters take a few minutes. Clicking three times sends three letters, and only the **newest** one works \u2013 the older links stop working.

So: wait five minutes, check Spam, and use the link in the *newest* email. If still nothing comes, ask the support team to check which email address is saved on your account.""",
        "The email was sent. Check again.",
    ),
    (
        STEP,
        "A customer writes: 'Please add our VAT ID DE123456789 to invoice INV-2024-0815, our accounting department cannot book it otherwise.' Decide whether the invoice can be edited and describe the correct process.",
        """Step 1: Understand the request. The customer wants their VAT identification number added to an invoice that has already been issued.

Step 2: Check the rule for issued invoices. In most EU countries an issued invoice must not simply be edited or overwritten; the audit trail has to stay intact. Instead, the original invoice is corrected by issuing a **credit note (cancellation invoice)** and a **new, corrected invoice**.

Step 3: Verify the VAT ID. Before reissuing, the VAT ID should be checked (e.g. via the EU VIES service), because for B2B deliveries across borders the reverse-charge mechanism depends on a valid VAT ID.

Step 4: Reissue.
- Create credit note `CN-2024-0815` that fully cancels `INV-2024-0815`.
- Create a new invoice with the VAT ID in the customer address block and a new invoice number.
- If the VAT ID changes the tax treatment (reverse charge), the VAT amount on the new invoice changes too.

Step 5: Reply to the customer, attaching both documents and explaining that the original invoice is cancelled by the credit note.

Answer: The invoice should not be edited in place. It should be cancelled with a credit note and replaced by a new invoice that includes the verified VAT ID.""",
        "Yes, just open the PDF and type the VAT ID into it, then send it back to the customer.",
    ),
    (
        D,
        "My wireless headphones stopped charging after 14 months. The shop says the warranty was only 12 months. Do I have any rights left? I live in Germany.",
        """There are two different things that are often mixed up, and the difference matters a lot in your case.

## Manufacturer's warranty (Garantie)

This is a **voluntary** promise by the manufacturer. Its duration and conditions are whatever the manufacturer decides \u2013 12 months is common. If it has expired, the manufacturer owes you nothing under it, although many will still help as a goodwill gesture.

## Statutory warranty (Gew\u00e4hrleistung)

This is a **legal right** against the **seller** (the shop), not the manufacturer. In Germany and the rest of the EU it lasts **two years** from delivery for new goods. It covers defects that already existed \u2013 at least in their origin \u2013 when the product was handed over.

- Since 2022, if a defect shows up within **one year** of delivery, it is presumed to have existed at delivery (burden of proof is on the seller).
- After that first year, which is your situation at 14 months, **you** may have to show that the defect is not due to normal wear or mishandling. For a battery or charging circuit that fails after a little over a year of normal use, this is often arguable, but not guaranteed.

## What you can do

1. Write to the shop and refer explicitly to the **statutory warranty** (*gesetzliche Gew\u00e4hrleistung*, \u00a7\u00a7 437 ff. BGB), not the manufacturer's warranty.
2. Describe the defect factually: "The headphones no longer charge; the LED does not light up with two different cables and chargers."
3. Ask for **repair or replacement** (*Nacherf\u00fcllung*) within a reasonable deadline, for example 14 days.
4. If the shop refuses, ask the manufacturer for a goodwill repair, or contact a consumer advice centre (*Verbraucherzentrale*).

Keep your receipt \u2013 the two years start from the date on it.""",
        """Unfortunately the warranty is 12 months, so after 14 months you have no more rights. You'll have to buy new headphones.""",
    ),
    (
        NONE,
        "how do i cancel my subscription before it renews?? renews tomorrow",
        """No worries, you can still do it today. The quickest way:

1. Log in on the website (not the app \u2013 the app sometimes hides the button).
2. Go to **Account \u2192 Subscription \u2192 Cancel subscription**.
3. Confirm, and check that you get a confirmation email.

If you subscribed through the **App Store** or **Google Play**, you have to cancel there instead:
- iPhone: *Settings \u2192 your name \u2192 Subscriptions*
- Android: *Play Store \u2192 profile icon \u2192 Payments & subscriptions \u2192 Subscriptions*

Cancelling today stops tomorrow's renewal, and you keep access until the end of the current period.""",
        " ",
    ),
    (
        D,
        "I want to ask an online shop for all the personal data they hold about me and who they shared it with. What am I entitled to, and how do I ask?",
        LONG_GDPR_GUIDE,
        """Just ask them by email. They will probably send you a link to their privacy policy, which lists all the data they collect \u2013 that is all they have to do.""",
    ),
    (
        FOL,
        "Classify the following support ticket into exactly one category: Billing, Shipping, Technical, Account, Other.\n\nTicket: \"The app logs me out every time I switch to another app and back. iPhone 13, iOS 17.2.\"",
        "Technical",
        "Account",
    ),
    (
        FOL,
        "Classify the following support ticket into exactly one category: Billing, Shipping, Technical, Account, Other.\n\nTicket: \"Why is there a \u20ac2.50 'service fee' on my last invoice? It wasn't there before.\"",
        "Billing",
        "Billing \u2013 although it could also be Other, since the customer is mainly asking a question and not reporting a problem. Technical is also possible if the fee was added by a system error.",
    ),
    (
        FOL,
        "Classify the following support ticket into exactly one category: Billing, Shipping, Technical, Account, Other.\n\nTicket: \"The courier left my parcel with a neighbour I don't know. Now nobody answers the door.\"",
        "Shipping",
        "",
    ),
    (
        STEP,
        "Extract the order number and the requested action from this message:\n\n\"Hallo, ich schreibe auf Englisch, hope that's ok \U0001f642 I ordered the blue kettle (order no. DE-2024-118830) but I'd like the black one instead. Can you swap it before it ships?\"",
        """Step 1: Look for an identifier that follows "order no." \u2013 the message contains `DE-2024-118830`.

Step 2: Identify what the customer wants. They ordered a blue kettle and want the black one instead, before shipping. That is a change of the item/variant, not a cancellation or return.

Result:
- **Order number:** DE-2024-118830
- **Requested action:** change the item variant from blue to black before the order ships""",
        "Order number: 118830. Action: return.",
    ),
    (
        D,
        "Our ISP swapped our router last week and since then the printer in the home office shows as offline on every computer. How do I get it working again?",
        LONG_PRINTER_GUIDE,
        """Printers find new networks automatically. Just wait a few days and it will reconnect by itself.""",
    ),
    (
        NONE,
        "Can I still change the delivery address? I moved last week and forgot to update it. Order placed 2 hours ago.",
        """Probably yes \u2013 two hours is usually early enough. Orders are typically handed to the warehouse within a few hours, so act quickly:

- Go to **My orders**, open the order and look for **Change address**. If the button is still there, the order hasn't been packed yet.
- If the button is gone, contact support right away via chat (faster than email) and give them the order number and the new address.
- If the parcel has already shipped, you can often redirect it through the carrier's website using the tracking number (DHL, UPS and DPD all offer this, sometimes for a small fee).

Also update the address in your account settings so future orders go to the right place.""",
        "No. Once an order is placed, it can't be changed.",
    ),
    (
        F5,
        "The discount code SUMMER20 says 'not valid'. Why?",
        """Think of a discount code like a special ticket for a ride at the fair. The ticket only works if all the rules on it are followed. Here are the usual rules that stop a code from working:

- \u23f0 **It's too late or too early.** Codes have a start day and an end day. SUMMER20 might have ended already.
- \U0001f6d2 **Your basket is too small.** Some codes only work if you spend at least, say, \u20ac50.
- \U0001f3f7\ufe0f **Some things don't count.** Items that are already on sale or gift cards often can't use the code.
- \U0001f464 **It's only for certain people.** Some codes are only for new customers or for people who got a special email.
- \u270d\ufe0f **A tiny typo.** `SUMMER2O` with the letter O instead of a zero won't work!

So check the small print where you found the code. If everything looks right and it still says "not valid", ask the shop's helpers \u2013 they can check it for you.""",
        "The code is wrong.",
    ),
    (
        TEACH,
        "Task: A customer lost the phone that had their two-factor authentication app on it. Explain the steps support should follow to restore access safely.",
        """**What the task is asking:** describe a safe procedure for helping a customer who can no longer produce a 2FA code because their phone is lost.

**Guidelines implied by the task:**
- access must be restored, *but*
- it must be done *safely*, i.e. without making it easy for an attacker to pretend to be the customer.

**How to use the guidelines to find the answer:**

1. **First, let the customer help themselves.** Ask whether they saved **backup / recovery codes** when they set up 2FA. One of those codes logs them in and lets them register the new phone.
2. **Check other registered factors.** Maybe a security key or a second device is still registered.
3. **Verify identity thoroughly** if no factor is left. Use information an attacker is unlikely to have, for example:
   - the last four digits of the payment card on file,
   - the amount and date of the last invoice,
   - confirmation from the account's verified email address.
4. **Do not disable 2FA instantly.** Many services use a waiting period (for example 24\u201372 hours) and notify the email address on file, so the real owner can object if the request is fraudulent.
5. **After recovery:** have the customer set up 2FA on the new device and generate fresh backup codes, and invalidate the old ones.

**Answer:** Use backup codes or other registered factors first; otherwise verify identity with several independent pieces of account information, apply a waiting period with notification, and then reset 2FA and issue new backup codes.""",
        """Support should just turn off 2FA for the account when the customer asks, so they can log in again.""",
    ),
    (
        NONE,
        "I ordered size M and got an XL. The packing slip even says M. What now?",
        """Sorry about the mix-up! Since this is our mistake, you shouldn't have any costs:

1. Reply with a photo of the label inside the shirt and of the packing slip (so the warehouse can find the error).
2. We'll send you a **free return label** by email.
3. You can choose:
   - an **exchange** \u2013 we ship the size M as soon as the return is scanned by the carrier (or right away if it's in stock), or
   - a **refund** to your original payment method.

You don't need to wait for the XL to reach our warehouse before we send the correct size.""",
        "Please send the item back at your own cost and order the correct size again.",
    ),
    (
        STEP,
        "I returned an item paid with PayPal on 2 May. The shop confirmed receipt on 6 May. It's now 8 May and I don't see the refund. Is that normal?",
        """Step 1: Separate the two time periods involved.
- Time for the shop to **process** the return after receipt.
- Time for PayPal to **credit** the refund after the shop issues it.

Step 2: Typical values.
- Shops usually need 1\u20135 business days to inspect a return and trigger the refund.
- PayPal refunds appear almost immediately once issued; if the original payment was funded by a card or bank account, it can take another 3\u20135 business days to reach that card or account.

Step 3: Apply to your dates. Receipt was confirmed on 6 May; 8 May is only two days later (and may include a weekend). That is still within the normal processing window.

Step 4: Recommendation. Wait until about 13 May (5 business days after receipt). If nothing appears in your PayPal activity by then, contact the shop and ask for the refund date and the PayPal transaction ID.

Answer: Yes, this is still normal. Give it until roughly 13 May before following up.""",
        "No, that's not normal. PayPal refunds are always instant, so the shop is probably keeping your money. Open a dispute right away.",
    ),
    (
        FOL,
        "Rewrite this agent reply to sound friendlier and more empathetic, but keep it short:\n\n\"Your account is locked because of too many failed logins. Wait 30 minutes. We can't unlock it manually.\"",
        """I'm sorry for the hassle! For your security, your account was locked after several unsuccessful login attempts. The lock lifts automatically after 30 minutes \u2013 after that you can sign in again, or use "Forgot password" if you're unsure of your password. Unfortunately we can't speed this up manually, but I'm happy to help if anything else comes up. \U0001f60a""",
        """Your account is locked because of too many failed logins!!! Please wait 30 minutes!!! We can't unlock it manually, sorry!!!""",
    ),
    (
        NONE,
        "Where can I download all my invoices from 2023 as PDFs? I need them for my tax return.",
        """You can download them yourself:

1. Sign in and open **Account \u2192 Billing \u2192 Invoices**.
2. Set the filter to **2023** (top right).
3. Either click the \u2b07 icon next to each invoice, or use **Download all (ZIP)** at the bottom of the list to get every PDF in one file.

A few notes:
- Invoices are named like `INV-2023-000123.pdf`, so they sort chronologically.
- If you changed your billing address during the year, older invoices keep the old address \u2013 that's correct and accepted by tax authorities.
- Need a single annual summary instead? Use **Export \u2192 Annual statement (CSV)**.""",
        "We send invoices by email. Please search your inbox.",
    ),
    (
        STEP,
        "I'm on the Basic plan (\u20ac10/month, renewed on the 1st). If I upgrade to Pro (\u20ac25/month) on the 16th of a 30-day month, how much will I be charged with proration?",
        """Step 1: Determine the remaining part of the billing period. Upgrading on day 16 of 30 leaves days 16\u201330, i.e. 15 days, which is 15/30 = 0.5 of the period.

Step 2: Credit for the unused part of Basic: 0.5 \u00d7 \u20ac10 = \u20ac5.00.

Step 3: Cost of Pro for the remaining part: 0.5 \u00d7 \u20ac25 = \u20ac12.50.

Step 4: Prorated charge now: \u20ac12.50 \u2212 \u20ac5.00 = **\u20ac7.50**.

Step 5: From the next renewal on the 1st, you pay the full Pro price of \u20ac25/month.

Note: some providers count the upgrade day differently (e.g. 14 or 15 remaining days), so the exact amount can differ by a few cents.""",
        "You pay \u20ac25 right away and then \u20ac25 again on the 1st.",
    ),
    (
        D,
        "Please delete my account and all my data. I don't want to use your service anymore.",
        """We're sorry to see you go, and of course we'll take care of this.

**What happens next**

1. **Confirmation of identity.** To protect you, we'll send a confirmation link to the email address registered on your account. The deletion only starts after you click it, so nobody else can delete your account.
2. **Active subscriptions are cancelled** automatically. If you have remaining prepaid time, let us know whether you'd like a prorated refund.
3. **Deletion.** Your profile, order history, saved addresses, preferences and marketing data are deleted within **30 days**, as required by Article 17 GDPR. You'll receive a final confirmation email.

**What we are legally required to keep**

- **Invoices and accounting records**, typically for up to 10 years, because tax law requires it. These are stored separately, access-restricted and used for nothing else.
- A record of **this deletion request itself**, so we can prove we complied.

**Before you confirm**, you may want to:
- download your data via *Account \u2192 Privacy \u2192 Export my data*;
- download any invoices you still need.

If you only want to stop receiving emails, you can also just unsubscribe from marketing and keep the account.""",
        "Your account has been deleted.",
    ),
    (
        F5,
        "My router has a blinking red light. What does it mean?",
        """A red light on a router is like a little warning flag. It's the router saying "Something isn't right!" \U0001f6a6

Most of the time it means one of these:

- **The internet from outside isn't reaching the house.** Maybe there's a problem in your street, or the cable in the wall is loose.
- **The router is still waking up.** After it's turned on, it blinks for a couple of minutes while it gets ready.
- **It's updating.** Sometimes it's learning new things (a software update). Don't unplug it then!

What you can try:
1. Check that the cable from the wall socket to the router is pushed in firmly.
2. Turn the router off, count to 30, and turn it back on. Wait 5 minutes.
3. If it's still red, look on your internet company's website for an "outage" page \u2013 maybe everyone near you has the same problem.
4. Still red? Call the internet company and tell them "my router shows a blinking red light".

Different routers use colours a little differently, so the little booklet that came with it has the exact meaning.""",
        "It means your router is broken and you need a new one.",
    ),
    (
        NONE,
        "I ordered from the US shop and now DHL wants \u20ac38.40 in import fees before delivering. Nobody told me! Can I refuse?",
        """You can refuse the parcel, but it helps to understand what the fee is first.

**What the fee is:** when goods come from outside the EU, import VAT (and sometimes customs duty) is charged on arrival. The carrier pays it on your behalf and charges you the amount plus a handling fee. It's a legal tax, not a carrier surcharge you can negotiate away.

**Your options:**

| Option | What happens | Costs |
|---|---|---|
| Pay the fees | Parcel is delivered | \u20ac38.40 |
| Refuse delivery | Parcel goes back to the US shop | Depends on the shop's policy \u2013 some refund the order minus return shipping, some refund nothing for refused parcels |
| Ask the shop first | Some shops reimburse import fees if their website said "duties included" | Possibly \u20ac0 |

**Recommendation:** check the shop's checkout page or confirmation email. If it said prices include duties/taxes (often labelled *DDP*), contact the shop and ask them to reimburse the fee. If it didn't, refusing usually doesn't save money, because the shop may deduct return shipping or not refund at all.""",
        """Just refuse it, then you get all your money back automatically.""",
    ),
    (
        STEP,
        "The parcel arrived with the box crushed and the glass teapot inside broken. What should I do and in what order?",
        """Step 1: Document before you do anything else. Take photos of:
- the outer box from several sides (including the shipping label),
- the packaging material inside,
- the broken teapot.
Documentation first, because carriers and shops usually ask for it and you can't recreate it after throwing the box away.

Step 2: Keep everything. Don't throw away the box or the shards yet; the carrier may want to inspect them.

Step 3: Contact the seller, not the carrier. The seller is responsible for the goods arriving intact, so your claim is against them. Send the photos and your order number.

Step 4: Choose a remedy. Ask for a replacement or a refund. For a broken item the seller should cover all shipping costs.

Step 5: Let the seller handle the carrier claim. If the seller asks you to file a damage report with the carrier, do it promptly \u2013 carriers often have short deadlines (sometimes 7 days).

Conclusion: photograph, keep everything, contact the seller with evidence, and request a replacement or refund.""",
        """Step 1: Throw the broken teapot away so nobody gets hurt.
Step 2: Order a new one.""",
    ),
    (
        FOL,
        "A customer received a flat-pack bookshelf with 6 of the 8 shelf pins missing. Write the agent's reply (max 80 words).",
        """Hi Sam,

I'm sorry \u2013 missing parts are really annoying when you're mid-assembly! I've sent you a full set of 8 shelf pins (part no. 110789) free of charge; they should arrive in 2\u20133 days. If you'd rather not wait, standard 5\u00a0mm shelf pins from any hardware store fit too, and we'll gladly refund the cost \u2013 just send us the receipt.

Best regards,
Lea""",
        """Hi,

Please check the box again, the pins are usually taped under the top panel. If you really don't find them, send us a photo of every part you received and the assembly instructions page with the parts list, and we will check it in our warehouse. This can take up to 14 business days. Note that claims for missing parts must be made within 48 hours of delivery according to our terms and conditions, section 7.3, paragraph b, which you agreed to when ordering.

Regards""",
    ),
    (
        NONE,
        "I bought a coffee machine for \u20ac329 and a week later it costs \u20ac279 in the same shop. Can I get the difference back?",
        """Possibly \u2013 it depends on the shop's policy, because there's no legal right to a price adjustment.

- **Check for a price-protection policy.** Some shops refund the difference if the price drops within 14 or 30 days. Look in their FAQ for "price protection" or "price match".
- **Just ask.** Even without a formal policy, many shops will refund the \u20ac50 difference or give you a voucher, because the alternative is worse for them:
- **Use your right of withdrawal.** If you bought online in the EU, you have 14 days to return the item without reason. You could return it and buy it again at \u20ac279. Shops know this, which is why asking politely usually works.

A short message works well: *"I bought the machine on 2 March for \u20ac329, it's now \u20ac279. Could you refund the difference? Otherwise I'd have to return it and reorder."*""",
        "No. Prices change all the time, that's your bad luck.",
    ),
    (
        TEACH,
        "Summarize the following customer complaint in one sentence for a ticket title.\n\n\"Hi, I have been a customer for six years and I'm honestly disappointed. Last month my bill suddenly went up from \u20ac34.99 to \u20ac44.99 without any notice, and when I called, the hotline kept me waiting for 40 minutes before the call was dropped. I want the old price back or I'll cancel.\"",
        """**What the task asks:** produce a one-sentence summary suitable as a ticket title, so it must be short and capture the core issue and the customer's demand.

**Key facts:** long-time customer, bill increased from \u20ac34.99 to \u20ac44.99 without notice, bad hotline experience, wants old price or will cancel.

**Answer:** Long-time customer disputes unannounced price increase (\u20ac34.99 \u2192 \u20ac44.99) and threatens to cancel unless the old price is restored.""",
        """Customer is disappointed.""",
    ),
    (
        FOL,
        "Write a FAQ entry answering: 'How long do I have to return an item?' Our policy: 30 days from delivery, items unused and in original packaging, free returns within the EU, customised items excluded.",
        crlf("""### How long do I have to return an item?

You can return items within **30 days of delivery**.

To be eligible for a return, the item must be:
- unused, and
- in its original packaging.

**Returns are free** for all deliveries within the EU \u2013 just use the prepaid label from your order confirmation or request one under *My orders \u2192 Return item*.

**Please note:** customised or personalised items (for example engraved products) cannot be returned unless they are defective."""),
        """### Returns

You can return items. Please check our terms and conditions.""",
    ),
    (
        NONE,
        "\u6ce8\u6587\u3057\u305f\u5546\u54c1\u304c\u307e\u3060\u5c4a\u304d\u307e\u305b\u3093\u3002\u6ce8\u6587\u756a\u53f7\u306f JP-55821 \u3067\u3059\u3002 (Sorry, English is fine too \u2013 my order JP-55821 still hasn't arrived.)",
        """Thank you for your message \u2013 and no problem at all, we can continue in English (or Japanese, if you prefer: \u65e5\u672c\u8a9e\u3067\u3082\u5927\u4e08\u592b\u3067\u3059).

I checked order **JP-55821**:

- Shipped: 4 June from our warehouse in Leipzig
- Carrier: Japan Post (EMS), tracking number `EG123456789DE`
- Current status: arrived in Japan on 9 June, **held at customs in Narita**

Customs clearance for parcels from the EU usually takes 2\u20135 business days. If import tax is due, Japan Post will collect it on delivery.

If there's no movement by 17 June, please reply to this email and I'll open an investigation with the carrier right away.""",
        """Your order has been shipped. Please wait.""",
    ),
    (
        FOL,
        "Customer chat message: \"omg the app crashed AGAIN \U0001f621\U0001f621 lost my whole draft!!! 3rd time this week\". Write a calm, helpful first reply.",
        """I'm really sorry \u2013 losing a draft three times in one week is maddening. \U0001f614 Let's try to get it back first and then stop it from happening again.

**Recovering the draft**
- Open the app, go to **Settings \u2192 Drafts \u2192 Recently closed**. Drafts are autosaved every 30 seconds, so most of your text is usually there.

**Stopping the crashes**
1. Update the app to the latest version (the update from Tuesday fixes a crash when switching between apps).
2. Restart your phone once after updating.

Could you tell me your phone model and OS version? If it crashes again after the update, I'll pass the crash report straight to our developers.""",
        "calm down, crashes happen. update the app",
    ),
    (
        STEP,
        "Is it true that the company can sell my email address to advertisers because I accepted the terms and conditions?",
        """Step 1: Identify the legal framework. For users in the EU, the GDPR applies. Selling or passing an email address to third parties for advertising is processing of personal data and needs a legal basis.

Step 2: Check whether accepting terms and conditions is a valid basis. Consent under GDPR must be freely given, specific, informed and unambiguous. Consent buried in general terms and conditions ("by accepting our T&Cs you agree that...") generally does not meet these requirements, and consent must not be a precondition for a service if it isn't necessary for it.

Step 3: Consider other bases. "Legitimate interest" can sometimes cover a company's *own* direct marketing, but passing addresses to other advertisers is much harder to justify, and you can object at any time.

Step 4: What you can do. You can ask the company (Art. 15 GDPR) whether and to whom your data was disclosed, withdraw consent, and object to direct marketing (Art. 21(2) GDPR).

Answer: No \u2013 for users covered by the GDPR, simply accepting the T&Cs is generally not enough for a company to sell your email address to advertisers.""",
        "Yes. You accepted the terms, so they can do whatever they want with your data.",
    ),
    (
        NONE,
        "I want to withdraw my cookie consent on your website. Where do I do that?",
        """You can change your choice at any time:

- Scroll to the very bottom of any page and click **Cookie settings** (next to *Privacy* and *Imprint*).
- Switch off the categories you don't want (e.g. *Marketing*, *Analytics*) and click **Save**.

Withdrawing consent is as easy as giving it, and it takes effect immediately. Cookies that were already set are removed the next time you load a page; to be sure, you can also clear the cookies for our site in your browser settings.""",
        "Delete your browser.",
    ),
    (
        D,
        "We are a small company. Our billing address changed from Hauptstra\u00dfe 5 to Bahnhofstra\u00dfe 22 as of 1 April. Can you update it on all invoices, including March?",
        """Thank you for letting us know \u2013 congratulations on the move!

**Future invoices:** I've updated your billing address to *Bahnhofstra\u00dfe 22*. All invoices issued from today onward will show the new address.

**The March invoice:** we're not able to change it, and that is actually correct from an accounting point of view:

- An invoice must show the address that was valid **on the date it was issued**. Your March invoice (issued 31 March) correctly shows *Hauptstra\u00dfe 5*, because the move took effect on 1 April.
- Tax authorities accept invoices with a previous address as long as the company itself (name, VAT ID) is the same.
- If we reissued it, we would have to cancel the original with a credit note and issue a new one, which usually creates more work for your accounting team, not less.

If your auditor or accountant nevertheless needs a corrected March invoice \u2013 for example because the company's legal name changed as well \u2013 just reply to this email and we'll issue a credit note and a replacement invoice.

Kind regards,
Finance Team""",
        """Done, we updated all invoices including March.""",
    ),
    (
        NONE,
        "Order status has said 'Processing' for 6 days. Other orders shipped in 1 day. What's going on?",
        """Six days is longer than usual, so something is probably holding it up. The most common reasons:

- **One item is on backorder.** If a single item isn't in stock, the whole order waits (unless partial shipping was selected).
- **Payment check.** Orders paid by bank transfer wait until the money arrives; sometimes card payments are flagged for a manual fraud check.
- **Address issue.** The warehouse can't ship if the address fails validation (e.g. missing house number).

Please send us your order number and we'll tell you exactly which of these it is \u2013 and if it's a backorder, we can ship the available items right away.""",
        "Processing means it is being processed.",
    ),
    (
        F5,
        "The tracking number doesn't work on the DHL website, it says 'not found'. Did they lose my parcel?",
        """Probably not! \U0001f4e6 Here's what usually happens, like a story:

1. The shop puts your toy in a box and prints a sticker with a number on it. That's the tracking number.
2. But the box is still sitting in the shop, waiting for the big yellow truck to pick it up.
3. DHL's computer only learns about the box when the truck driver **scans** the sticker.

So if the shop just made the sticker today, DHL's computer says "I don't know this box yet" \u2013 that's the "not found" message.

Wait one or two days and try again. If it still says "not found" after 3 days, ask the shop \u2013 maybe they typed a number wrong or the box was never picked up.""",
        "Yes, it's lost. Ask for a refund.",
    ),
    (
        STEP,
        "My order had 3 items (\u20ac12.99, \u20ac24.50 and \u20ac7.49) and the \u20ac24.50 item was missing. Shipping was \u20ac4.95. How much refund should I get?",
        """Step 1: Identify what's missing: one item worth \u20ac24.50.

Step 2: Decide whether shipping should be refunded. The other two items were delivered, so the shipping service was largely provided. Usually only the missing item's price is refunded; shipping is refunded only if nothing arrived or if the shop's policy says so.

Step 3: Compute the refund: \u20ac24.50.

Step 4: Sanity check against the total: the order total was \u20ac12.99 + \u20ac24.50 + \u20ac7.49 + \u20ac4.95 = \u20ac49.93. After the refund you will have paid \u20ac25.43 for the two delivered items plus shipping.

Answer: You should get **\u20ac24.50** back (or the missing item sent to you free of charge, if you prefer).""",
        "\u20ac49.93",
    ),
    (
        NONE,
        "I cancelled my subscription on 12 Feb (I have the confirmation email) but I was charged again on 1 March. This is the second time this has happened!!",
        """I completely understand your frustration \u2013 being charged after cancelling, and for the second time, shouldn't happen. Here's what I've done and what happens next:

1. **Verified your cancellation** from 12 February \u2013 it's in our system, so the charge on 1 March was our error.
2. **Issued a full refund** of the March charge. You'll see it on your statement within 5\u201310 business days (card) or 1\u20132 days (PayPal).
3. **Removed your stored payment method**, so no further charges are possible.
4. **Escalated the case** to our billing team, including the previous incident, so they can find out why the cancellation wasn't applied.

You don't need to do anything else. If the refund hasn't arrived by 15 March, reply here and I'll follow up personally.""",
        "Are you sure you cancelled? Please send the confirmation email again and we'll check within 14 days.",
    ),
    (
        FOL,
        "Answer with Yes or No only: Can a customer in the EU return a personalised engraved watch bought online, just because they changed their mind?",
        "No",
        "Yes",
    ),
    (
        TEACH,
        "A customer's SEPA direct debit for invoice 2024-0311 (\u20ac59.00) bounced, and the bank charged a \u20ac3.00 return fee. The customer asks why they now owe \u20ac62.00. Explain the task and answer it.",
        """**What the task asks:** explain to the customer why the amount owed increased from \u20ac59.00 to \u20ac62.00.

**Guidelines:** the explanation should identify the components of the new amount and why each applies.

**Working it out:**

1. The original invoice amount is still open: **\u20ac59.00**. A returned direct debit means the payment never arrived.
2. When a direct debit bounces (for example because of insufficient funds or a closed account), the *company's* bank charges the company a return fee. Most terms and conditions pass this fee on to the customer: **\u20ac3.00**.
3. Total: \u20ac59.00 + \u20ac3.00 = **\u20ac62.00**.

**Answer for the customer:** "Your direct debit for invoice 2024-0311 was returned by your bank, so the \u20ac59.00 is still unpaid. Our bank charged us a return fee of \u20ac3.00, which we are passing on as described in our terms. Please transfer \u20ac62.00, or let us know if the debit was returned because of an error on our side \u2013 in that case we will waive the fee.\"""",
        """**Answer:** The customer owes \u20ac62.00 because of interest.""",
    ),
    (
        NONE,
        "My kid bought \u20ac89 of gems in a game using my phone. Can I get that refunded?",
        """Often yes, especially if it's the first time. How to ask depends on where the purchase was made:

- **iPhone / iPad:** go to https://reportaproblem.apple.com, sign in, find the purchase and choose *"I didn't intend to buy this item"* or *"My child made an unauthorised purchase"*.
- **Android:** open the Google Play order history (*Play Store \u2192 profile \u2192 Payments & subscriptions \u2192 Budget & history*), select the purchase and choose *Request a refund*. For purchases older than 48 hours, use the Google Play Help Center form.

Then, to prevent it happening again:
1. Turn on **"Require authentication for purchases"** (Android) or **Ask to Buy / Screen Time restrictions** (iOS).
2. Consider a separate child account with Family Sharing / Family Link.

Refunds are usually granted once for accidental purchases by children, but repeat requests are often refused, so setting up the protection is important.""",
        "No refunds for digital goods.",
    ),
    (
        STEP,
        "Student discount: the verification keeps failing although I'm enrolled at TU M\u00fcnchen. My university email is ab12cde@mytum.de. What could be wrong?",
        """Step 1: Look at how student verification usually works. Most shops use a verification service that checks either a university email domain or an uploaded enrolment certificate.

Step 2: Check the email domain. TUM students often have addresses on `mytum.de` as well as `tum.de`. Some verification services only have the main domain of a university on their list. So the domain may simply not be recognised.

Step 3: Check for a typing issue. The umlaut in "M\u00fcnchen" can cause a mismatch when searching for the university \u2013 try "Munchen" or "Technical University of Munich".

Step 4: Use the fallback. Almost every verification service allows uploading a current enrolment certificate (*Immatrikulationsbescheinigung*) with the current semester. That is checked manually, usually within 24\u201348 hours.

Answer: Most likely the `mytum.de` domain isn't recognised or the university name lookup fails because of the umlaut. Try selecting the university by its English name, and if that fails, upload your current enrolment certificate instead.""",
        "Your email address is wrong, it should be a gmail address.",
    ),
    (
        NONE,
        "I don't have a printer. How am I supposed to print the return label?",
        """No printer needed \U0001f642 You have a few options:

- **QR code:** when you create the return in *My orders*, choose **"QR code (no printer)"**. Show the code on your phone at the post office or parcel shop and they print the label for you.
- **Print at a shop:** many copy shops, libraries and some supermarkets have self-service printers \u2013 email the PDF to yourself and print it there.
- **Ask us:** if neither works, reply with your order number and we'll arrange a courier pickup with the label brought by the driver.""",
        "Buy a printer.",
    ),
    (
        D,
        "The streaming app on my Samsung smart TV says 'Login failed (error 1043)' but the same account works on my phone.",
        """Since the account works on your phone, the username and password are fine. Error 1043 on TVs almost always points to one of the following:

### 1. Wrong date and time on the TV

Secure logins rely on certificates that have a validity period. If the TV's clock is off by days or years (common after a power cut), the certificate check fails.

- Go to **Settings \u2192 General \u2192 System Manager \u2192 Time \u2192 Clock** and set **Clock Mode** to *Auto*.

### 2. Outdated app or TV firmware

- Update the app: **Apps \u2192 Settings \u2192 Auto update**.
- Update the TV software: **Settings \u2192 Support \u2192 Software Update \u2192 Update Now**.

### 3. Corrupted app data

1. Go to **Settings \u2192 Apps**, select the streaming app.
2. Choose **Clear cache**, then **Clear data**.
3. If that's not available, **delete** and **reinstall** the app.

### 4. Network filters

Ad-blocking DNS (such as Pi-hole) or parental controls on the router sometimes block the login server but not the video servers.

- Temporarily connect the TV to your phone's hotspot. If login works there, whitelist the domains in your filter.

### 5. Device limit

Many plans allow only a certain number of registered devices. Sign in on the website, go to **Account \u2192 Devices**, and remove old devices you no longer use.

If none of this works, note the TV model (e.g. *UE55AU7170*) and the firmware version from **Settings \u2192 Support \u2192 About This TV** and contact support \u2013 that information speeds up the investigation a lot.""",
        """Error 1043 means the servers are down. Try again tomorrow.""",
    ),
    (
        FOL,
        "Write the bash command a support engineer would use to check whether port 25565 is reachable on the host 203.0.113.7, and explain it in one sentence.",
        """```bash
nc -zv -w 5 203.0.113.7 25565
```

This uses netcat in scan mode (`-z`) with verbose output (`-v`) and a 5-second timeout (`-w 5`) to report whether a TCP connection to port 25565 on 203.0.113.7 can be established.""",
        """```bash
ping 203.0.113.7:25565
```""",
    ),
    (
        NONE,
        "How do I set up port forwarding for my Minecraft server on a TP-Link Archer router?",
        """Here's the usual way on TP-Link Archer models (the menu names differ slightly between firmware versions):

1. **Give your server a fixed local IP address**
   - Log in to `http://tplinkwifi.net` (or `192.168.0.1`).
   - Go to **Advanced \u2192 Network \u2192 DHCP Server \u2192 Address Reservation**.
   - Add your server's MAC address and pick an IP, for example `192.168.0.50`.
2. **Create the forwarding rule**
   - Go to **Advanced \u2192 NAT Forwarding \u2192 Virtual Servers \u2192 Add**.
   - Fill in:

     | Field | Value |
     |---|---|
     | Service Type | Minecraft |
     | External Port | 25565 |
     | Internal IP | 192.168.0.50 |
     | Internal Port | 25565 |
     | Protocol | TCP (Java Edition) |

   - Save.
3. **Allow the port on the server itself**
   - Windows: allow Java through Windows Defender Firewall when prompted, or add an inbound rule for TCP 25565.
   - Linux:
     ```bash
     sudo ufw allow 25565/tcp
     ```
4. **Test from outside your network** (e.g. from a phone on mobile data) using your public IP address.

\u26a0\ufe0f If your public IP in the router's status page starts with `100.64.` to `100.127.`, your provider uses **CGNAT** and port forwarding won't work from outside. In that case ask your provider for a public IPv4 address or use a tunnel service.""",
        """Open port 25565 in the router. Done.""",
    ),
    (
        STEP,
        "Our invoice shows $149.00 but we're a German customer and the offer said \u20ac149.00. Did we pay in the wrong currency?",
        """Step 1: Compare the offer with the invoice. The offer was in euros (\u20ac149.00); the invoice shows US dollars ($149.00). The number is the same but the currency is different, which points to a configuration error rather than a price change.

Step 2: Check what was actually charged. Look at the bank or card statement:
- If it shows a charge of \u20ac149.00, only the invoice document is wrong.
- If it shows a euro amount that differs from \u20ac149.00 (e.g. \u20ac137.20) plus a foreign-transaction fee, then you were really charged in USD and your bank converted it.

Step 3: Request a correction from the vendor:
- In the first case, ask for a corrected invoice in EUR (credit note + new invoice).
- In the second case, ask them to refund the USD charge and re-charge \u20ac149.00, or to reimburse the conversion fee.

Step 4: Prevent it. Ask the vendor to set your account's billing currency to EUR.

Answer: Possibly \u2013 check your statement. Either way the vendor should issue a corrected EUR invoice, and if you were charged in USD, refund or compensate the difference.""",
        "No, $ and \u20ac are the same thing on invoices.",
    ),
    (
        F5,
        "I want to stop paying for a while but not lose my stuff. Can I pause instead of cancel?",
        """Yes! Pausing is like putting your favourite toy on a shelf instead of giving it away. \U0001f9f8

- When you **pause**, you don't pay, but all your things (your saved lists, settings and pictures) stay exactly where they are.
- When the pause is over, everything starts again, like taking the toy off the shelf.

How to do it:
1. Go to **Account \u2192 Subscription**.
2. Click **Pause subscription** (it's right next to *Cancel*).
3. Choose how long: 1, 2 or 3 months.

Good to know: before the pause ends, you'll get an email reminder, so you're never surprised by a payment.""",
        "No.",
    ),
    (
        NONE,
        "I got an email saying there was a data breach and my phone number was exposed. What should I do now?",
        """Sorry to hear that. A leaked phone number is less serious than a leaked password, but it does make you a target for scams. Here's what to do:

**Right away**
- If the email also mentions passwords: change the password for that service and any other service where you used the **same** password.
- Turn on two-factor authentication, preferably with an app rather than SMS.

**Next few weeks \u2013 watch out for:**
- *Smishing*: text messages with links claiming a parcel is waiting, a bank account is blocked, etc. Don't click; go to the official website yourself.
- Calls claiming to be from "support" or your bank asking for codes. No legitimate company asks you to read out a 2FA code.
- *SIM swapping*: ask your mobile provider to add a PIN or password to your account so nobody can port your number.

**Check whether the notification is genuine**
Breach notifications are sometimes fakes themselves. Don't use links in the email \u2013 go to the company's website directly and look for an official statement.

**Your rights**
Under the GDPR, you can ask the company what data exactly was affected (Art. 15) and the company must tell you what it's doing about it (Art. 34).""",
        "Get a new phone number, there's nothing else you can do.",
    ),
    (
        STEP,
        "The firmware update on my router stopped at 63% and now only the power light is on. What should I do?",
        """Step 1: Don't unplug it yet. Some routers pause visibly while they write the firmware and then continue. Wait at least 15 minutes after the progress stopped.

Step 2: If nothing changes after 15 minutes, restart the router once by unplugging it for 30 seconds. Many routers keep a backup copy of the old firmware and fall back to it automatically.

Step 3: Check whether the web interface loads (e.g. `http://192.168.1.1`). If it does, start the update again, this time connected **by cable**, not Wi-Fi.

Step 4: If the interface doesn't load, use the recovery mode. Most manufacturers offer one:
- AVM FRITZ!Box: the "Recover" tool via a LAN cable.
- TP-Link / ASUS / Netgear: a "firmware restoration" utility or a TFTP recovery mode, started by holding the reset button while powering on.

Step 5: If recovery fails, contact the manufacturer or provider. A router that bricks during an official update is normally a warranty case.

Answer: wait, restart once, retry via cable, and use the manufacturer's recovery tool if the router no longer starts.""",
        "Press the reset button for 30 seconds while it is updating.",
    ),
    (
        FOL,
        "List the steps to factory-reset a typical home router as a numbered list, and add one warning at the end.",
        """1. Make sure the router is switched on and has finished starting up.
2. Find the small **Reset** button on the back (usually recessed).
3. Press and hold it with a paperclip for about **10\u201315 seconds**, until the lights flash.
4. Release the button and wait 2\u20133 minutes while the router restarts.
5. Reconnect using the default Wi-Fi name and password printed on the label.
6. Log in to the web interface and re-enter your internet login details from your provider.

\u26a0\ufe0f **Warning:** a factory reset deletes *all* settings, including your internet access credentials, Wi-Fi name, password and port forwarding rules. Have your provider's login data ready before you start.""",
        """Press reset.""",
    ),
    (
        NONE,
        "Why does my mobile bill have \u20ac18.70 'roaming' when I was only in Switzerland for a weekend?",
        """Because Switzerland is **not part of the EU**, so the EU "Roam like at home" rules don't apply there \u2013 even though it's in the middle of Europe. Many tariffs charge Switzerland like a non-EU country unless they explicitly include it.

To check:
1. Look at the itemised bill: the roaming entries should show dates, times and data volume (e.g. *"Data CH 48.3 MB"*).
2. Check whether you received the **welcome SMS** when you entered Switzerland \u2013 it lists the prices.
3. Compare with your tariff details. Some tariffs include Switzerland; if yours does, the charge is an error and you can dispute it.

Tip for next time: many providers offer cheap day passes for Switzerland, or you can turn off *Data roaming* in your phone settings and use Wi-Fi only.""",
        "Roaming is free in Europe, so the bill is wrong.",
    ),
    (
        FOL,
        "Draft a friendly payment reminder (first reminder, no fees yet) for invoice R-2291 over \u20ac420.00, due 14 days ago.",
        """Subject: Friendly reminder \u2013 invoice R-2291

Dear Ms Novak,

We hope all is well! According to our records, invoice **R-2291** of **\u20ac420.00**, due on 2 May, has not yet been paid. It's easy for an invoice to slip through in a busy period, so this is just a friendly reminder.

Please transfer the amount within the next 7 days to:

- IBAN: DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000
- Reference: R-2291

If you have already paid, please disregard this message \u2013 and thank you! If there's a problem with the invoice, just reply to this email and we'll sort it out.

Kind regards,
Accounts Receivable""",
        """REMINDER: You haven't paid R-2291. Pay \u20ac420 immediately or we'll hand this over to a collection agency.""",
    ),
    (
        NONE,
        "Can you ship to a Packstation? The checkout doesn't accept it as an address.",
        """Yes, we can ship to DHL Packstations, but the address has to be entered in a specific format or the checkout rejects it:

- **Street:** `Packstation 123` (the number of the station)
- **Additional address line / Postnummer:** your 6\u201310 digit DHL *Postnummer*
- **Postcode and city:** those of the Packstation

Common mistakes:
- typing "Packstation" in the *name* field,
- leaving out the Postnummer,
- choosing an express option \u2013 express deliveries can't go to Packstations.

If it still fails, send us a screenshot of the error and we'll add the address manually.""",
        "We don't ship to Packstation.",
    ),
    (
        F5,
        "I ordered 4 things but got only 2 boxes. Where are the rest?",
        """Don't worry, they're probably just travelling separately! \U0001f69a\U0001f69a

Imagine your 4 things live in different rooms of a big house (the warehouse). Sometimes the helpers pack the things from one room into one box and the things from another room into a second box. And sometimes one thing comes from a completely different house far away!

So:
- Check your email \u2013 there should be a message for **each** box with its own tracking number.
- The missing things may arrive a day or two later.

If your order page says everything was delivered, but you only have 2 boxes, that's when you should ask the shop helpers to look for the missing box.""",
        "They were lost.",
    ),
    (
        STEP,
        "I placed an order 20 minutes ago and want to cancel it. The website doesn't show a cancel button. Step by step, what are my options?",
        """Step 1: Understand why there's no button. Many shops remove the cancel option as soon as an order is sent to the warehouse, which can happen within minutes.

Step 2: Contact support immediately, ideally via live chat or phone, because they may still be able to stop the order in the warehouse system. Have the order number ready.

Step 3: If it's too late to stop it, you have two fallback options for online purchases in the EU:
- **Refuse delivery**: the parcel goes back to the seller automatically.
- **Use the 14-day right of withdrawal**: accept the parcel and send it back within 14 days of delivery.

Step 4: Clarify costs. Ask whether return shipping is free; with the statutory withdrawal right, the seller may charge you return costs if they informed you about this beforehand.

Answer: contact support right away to stop the order; if it has already shipped, refuse the delivery or return it within 14 days.""",
        """You can't cancel an order once it's placed.""",
    ),
    (
        NONE,
        "The refund went to my old credit card which I cancelled last month. Is the money gone?",
        """No, the money isn't lost. What typically happens:

1. **The card network forwards it.** If your bank replaced the card (new number, same account), the refund usually lands on the new card automatically.
2. **The bank credits your account.** If the card was closed completely, the issuing bank normally still accepts the refund and transfers the balance to you or credits your bank account. You may need to call them.
3. **The refund bounces back to the shop.** In rare cases the refund is rejected. The shop then gets the money back and has to refund you another way (bank transfer, voucher, PayPal).

What to do: wait about 10 business days, then call your bank with the refund date and amount. If they can't find it, ask the shop to confirm whether it bounced.""",
        "Yes, unfortunately refunds to closed cards are lost.",
    ),
    (
        FOL,
        "Respond to this customer in 2 sentences max: \"I've been waiting 45 minutes in your chat queue, this is ridiculous.\"",
        """You're right, a 45-minute wait is far too long, and I'm sorry. I'm here now \u2013 what can I help you with?""",
        """We have a high volume of requests. Thank you for your patience, your request is important to us, please do not close this window, your request will be handled in the order it was received, a member of our team will be with you shortly.""",
    ),
    (
        NONE,
        "I installed a mesh system (3 units) but my laptop keeps connecting to the unit in the basement instead of the one next to it. How can I fix that?",
        """This is a common "sticky client" problem: the laptop holds on to the first node it connected to until the signal gets really bad. A few things help:

- **Enable roaming assistance / fast roaming (802.11k/v/r)** in the mesh app, if available. It lets the nodes suggest a better node to the laptop.
- **Lower the "roaming aggressiveness"** threshold on the laptop:
  - Windows: *Device Manager \u2192 Network adapters \u2192 (your Wi-Fi adapter) \u2192 Advanced \u2192 Roaming Aggressiveness* \u2192 set to *Medium-High* or *Highest*.
- **Reposition the basement node.** If it's directly below your desk, the floor may still let enough signal through. Moving it even a few metres sideways can help.
- **Reconnect once** after you've moved: turning Wi-Fi off and on forces the laptop to pick the strongest node at that moment.

Avoid giving each node its own network name \u2013 that "fixes" it but breaks seamless roaming everywhere else in the house.""",
        """Unplug the basement unit.""",
    ),
    (
        STEP,
        "A customer with a \u20ac7.99 monthly plan was accidentally charged \u20ac79.90 (an extra zero). Calculate the amount to refund and write the one-line explanation for the ticket.",
        """Step 1: Correct amount = \u20ac7.99.
Step 2: Charged amount = \u20ac79.90.
Step 3: Overcharge = \u20ac79.90 \u2212 \u20ac7.99 = \u20ac71.91.

Refund: **\u20ac71.91**

Ticket note: "Billing error \u2013 charged \u20ac79.90 instead of \u20ac7.99 (decimal shift); refunded the difference of \u20ac71.91 to the original payment method.\"""",
        """Refund: \u20ac79.90 \u2212 \u20ac7.99 = \u20ac72.91""",
    ),
    (
        NONE,
        "Can I have my newsletter sent to a different email address than the one on my account?",
        """Yes! Go to **Account \u2192 Communication preferences \u2192 Newsletter email** and enter the address you'd like to use. You'll get a confirmation link at the new address; once you click it, newsletters go there. Order confirmations and invoices will still go to your account email.""",
        """""",
    ),
    (
        D,
        "What is the difference between a chargeback and a refund, and when should a customer use which?",
        """A **refund** and a **chargeback** both return money to the customer, but they are initiated by different parties and have very different consequences.

## Refund

- **Initiated by:** the merchant, usually at the customer's request.
- **Process:** the customer contacts the shop (e.g. after a return or a billing error), the shop agrees and sends the money back to the original payment method.
- **Speed:** typically days.
- **Consequences:** none for the customer; for the merchant, it's a normal business transaction.

## Chargeback

- **Initiated by:** the customer's **bank or card issuer**, at the customer's request.
- **Process:** the customer disputes a card transaction with their bank, e.g. because the goods never arrived or the transaction wasn't authorised. The bank reverses the payment and the merchant can submit evidence to contest it.
- **Speed:** weeks, sometimes months.
- **Consequences:** the merchant pays a chargeback fee (often \u20ac15\u2013\u20ac25 or more) and too many chargebacks can put their payment account at risk. Some merchants close the customer account after a chargeback.

## When to use which

| Situation | Recommended route |
|---|---|
| You returned an item / want to cancel | Ask the merchant for a refund |
| Merchant agreed to a refund but it never came | Remind the merchant first, then chargeback |
| The shop is unreachable or bankrupt | Chargeback |
| Transaction you don't recognise (possible fraud) | Contact your bank immediately \u2013 chargeback |
| Subscription charged after proper cancellation, merchant refuses | Chargeback, with the cancellation confirmation as evidence |

In short: **always try a refund first**; a chargeback is the safety net when the merchant won't or can't help.""",
        """A chargeback is when you get charged again and a refund is when you get the money back. Always do a chargeback because it's faster.""",
    ),
    (
        NONE,
        "I have a \u20ac50 gift card but the balance shows \u20ac0.00 and I never used it!",
        """That must be alarming \u2013 let's sort it out. A few possibilities:

1. **Not yet activated.** Gift cards bought in a store are activated at the till. If the activation failed, the balance shows \u20ac0.00. The receipt of the purchase will show whether it was activated.
2. **Already redeemed to an account.** If someone (maybe the person who gave it to you) entered the code in *their* account, the balance was moved there.
3. **Fraud.** Unfortunately gift card codes are sometimes copied from cards hanging in stores.

Please send us:
- the card number (last 6 digits are enough for now),
- a photo of the back of the card,
- the purchase receipt, if you have it.

We'll check the activation and redemption history and restore the balance if it was misused.""",
        """Gift cards can't be refunded.""",
    ),
    (
        FOL,
        "In one word, what is the sentiment of this review: \"Support fixed my issue in 5 minutes, super friendly! \u2b50\u2b50\u2b50\u2b50\u2b50\"",
        "Positive",
        "Neutral",
    ),
    (
        FOL,
        "In one word, what is the sentiment of this review: \"Third technician appointment missed. Nobody called. I've taken three days off work for nothing.\"",
        "Negative",
        crlf("Negative.\n\nThe customer is clearly frustrated because:\n- three appointments were missed\n- nobody called\n- they took days off work"),
    ),
    (
        NONE,
        "My laptop (bought 8 months ago) won't charge anymore, the LED stays off. Before I send it in for warranty, what should I check?",
        crlf("""Good idea to check a few things first \u2013 it can save you weeks without your laptop.

1. Try a different wall socket (and not a power strip).
2. Check the charger:
   - Is the LED on the power brick lit?
   - Is the cable kinked or damaged near the plug?
   - If you have a USB-C laptop, try a different USB-C charger with enough wattage (at least 45\u201365\u00a0W).
3. Do a power reset:
   - Unplug the charger.
   - Hold the power button for 30 seconds.
   - Plug the charger back in and wait a minute.
4. Look at the charging port with a flashlight. Lint and dust can prevent the plug from seating fully; remove it carefully with a wooden toothpick (never metal).
5. If the laptop boots with the charger connected but the battery doesn't charge, check the battery settings \u2013 some manufacturers have a "battery care" mode that stops charging at 60\u201380\u00a0%.

If none of this helps, it's a warranty case. At 8 months you're well within the 2-year statutory warranty. Back up your data before sending it in, and include the charger, since it could be the faulty part."""),
        """Send it in.""",
    ),
    (
        STEP,
        "Is it normal that my electricity bill shows an 'advance payment' of \u20ac95/month but my consumption was only 2,100 kWh/year at 0.32 \u20ac/kWh plus a base fee of \u20ac12/month?",
        """Step 1: Compute the annual energy cost: 2,100 kWh \u00d7 \u20ac0.32/kWh = \u20ac672.00.

Step 2: Add the base fee: 12 \u00d7 \u20ac12 = \u20ac144.00. Annual total = \u20ac672 + \u20ac144 = \u20ac816.00.

Step 3: Convert to a monthly figure: \u20ac816 / 12 = \u20ac68.00 per month.

Step 4: Compare with the advance payment: \u20ac95 \u2212 \u20ac68 = \u20ac27 too high per month, i.e. about \u20ac324 per year.

Step 5: Interpret. Suppliers sometimes set advance payments higher when prices are expected to rise, or base them on a previous occupant's consumption. You'll get the overpayment back with the annual statement, but you can also ask for the advance payment to be reduced now.

Answer: No \u2013 based on your figures, about \u20ac68/month would be appropriate. Ask your supplier to lower the advance payment, quoting your actual consumption.""",
        "Yes, that's correct. 2100 \u00d7 0.32 = \u20ac95.",
    ),
    (
        NONE,
        "Where's my order??? #88213",
        """Hi! I checked order **#88213** for you:

- \U0001f4e6 Shipped yesterday with DPD
- \U0001f4cd Current status: *in the delivery depot*, out for delivery tomorrow
- \U0001f517 Tracking: https://tracking.example.com/88213

You'll get a notification with a 1-hour delivery window tomorrow morning. If that time doesn't suit you, you can pick another day or a parcel shop from the link.""",
        "\n\t",
    ),
    (
        TEACH,
        "Task: Given the customer message, decide if it needs escalation to a human (Yes/No) and explain. Message: \"I think someone logged into my account from Brazil and changed my email address. I can't log in anymore.\"",
        """**What the task asks:** decide whether the ticket must be escalated from the bot to a human agent, and justify the decision.

**Guideline to apply:** anything involving a potential security incident or account takeover should go to a human, because it needs identity verification and manual account actions that a bot can't safely perform.

**Applying it:**
- Login from an unexpected country \u2192 possible unauthorised access.
- The email address was changed \u2192 the attacker may have locked the real owner out.
- The customer can no longer log in \u2192 self-service recovery via email won't work, since the email now belongs to the attacker.

**Answer: Yes** \u2013 escalate immediately as a suspected account takeover. The agent should freeze the account, verify the customer's identity through other means, restore the original email address, and reset the password and sessions.""",
        """**Answer: No**, the customer should use the password reset function.""",
    ),
]


# ---------------------------------------------------------------------------
# orca_dpo_pairs: general Orca-style tasks  (system, question, chosen, rejected)
# ---------------------------------------------------------------------------

ORCA_GENERAL = [
    (
        STEP,
        "Solve 14*q - 27 = 43 for q.",
        """Step 1: Add 27 to both sides to isolate the term with q:
14q \u2212 27 + 27 = 43 + 27
14q = 70

Step 2: Divide both sides by 14:
q = 70 / 14
q = 5

Step 3: Check: 14 \u00d7 5 \u2212 27 = 70 \u2212 27 = 43 \u2713

The solution is q = 5.""",
        "q = 1.14",
    ),
    (
        STEP,
        "Math problem: Solve -9*h + 31 = -3*h + 7 for h.",
        """Step 1: Collect the h terms on one side by adding 9h to both sides:
31 = 6h + 7

Step 2: Subtract 7 from both sides:
24 = 6h

Step 3: Divide by 6:
h = 4

Check: \u22129(4) + 31 = \u221236 + 31 = \u22125 and \u22123(4) + 7 = \u221212 + 7 = \u22125. Both sides are equal, so **h = 4**.""",
        """Step 1: -9h - 3h = 7 - 31
Step 2: -12h = -24
Step 3: h = 2""",
    ),
    (
        NONE,
        "What is the next number in the sequence 2, 6, 12, 20, 30, ...?",
        """The differences between consecutive terms are 4, 6, 8, 10, so the next difference is 12:

30 + 12 = **42**

Equivalently, the n-th term is n(n + 1): 1\u00b72, 2\u00b73, 3\u00b74, 4\u00b75, 5\u00b76, and the next is 6\u00b77 = 42.""",
        "40",
    ),
    (
        F5,
        "Why is the sky blue?",
        """Sunlight looks white, but it's really made of all the colours of the rainbow mixed together \U0001f308.

When sunlight comes down to Earth, it has to pass through the air. Air is made of teeny-tiny bits, much too small to see. When the light bumps into these tiny bits, the **blue** light gets bounced around much more than the red or yellow light, because blue light travels in shorter, choppier waves.

So the blue light gets scattered all over the sky, and wherever you look up, some of that bouncing blue light comes into your eyes. That's why the sky looks blue!

And at sunset? The light has to travel through much more air to reach you, so most of the blue gets bounced away before it arrives, and you see the oranges and reds instead. \U0001f305""",
        "Because it reflects the ocean.",
    ),
    (
        FOL,
        "Review: \"The battery lasts two full days and the screen is gorgeous, but the camera struggles in low light.\" Is this review positive, negative or mixed?",
        "Mixed. The reviewer praises the battery life and the screen but criticises the low-light camera performance.",
        "Positive",
    ),
    (
        D,
        "Premise: \"A man in a yellow raincoat is walking his dog along the harbour.\"\nHypothesis: \"A man is outside.\"\nDoes the premise entail the hypothesis? Options: yes / it is not possible to tell / no",
        """The answer is **yes**.

To decide whether the premise entails the hypothesis, we ask: if the premise is true, must the hypothesis also be true?

1. The premise says a man is *walking his dog along the harbour*.
2. A harbour is an outdoor location \u2013 it's where the land meets the water and boats dock. Walking along it means being outside.
3. The raincoat reinforces this: people wear raincoats outdoors to protect themselves from rain.
4. The hypothesis only claims that "a man is outside", which is much less specific than the premise. It doesn't add any new information that the premise doesn't support.

Since there's no plausible reading of the premise in which the man is not outside, the premise entails the hypothesis.""",
        "it is not possible to tell",
    ),
    (
        D,
        "Premise: \"Two children are building a sandcastle.\"\nHypothesis: \"The children are at the beach.\"\nDoes the premise entail the hypothesis? Options: yes / it is not possible to tell / no",
        """The correct answer is **it is not possible to tell**.

While sandcastles are strongly associated with beaches, the premise does not actually state where the children are. Sandcastles can also be built:

- in a sandbox at a playground,
- on the shore of a lake or river,
- at an indoor play area with a sand pit.

Entailment requires that the hypothesis *must* be true whenever the premise is true. Because there are realistic situations in which two children build a sandcastle without being at the beach, the hypothesis is not guaranteed. It is likely, but likelihood is not entailment.""",
        "yes, sandcastles are always built at the beach",
    ),
    (
        STEP,
        "Is the following sentence factually correct? \"The Great Wall of China is visible from the Moon with the naked eye.\" Options: - yes - no",
        """Step 1: Consider the Wall's dimensions. The Great Wall is very long, but only about 5\u20139 metres wide in most places.

Step 2: Consider the distance. The Moon is roughly 384,000 km away. At that distance, an object only a few metres wide is far below what the human eye can resolve; even whole countries are hard to tell apart without aid.

Step 3: Check astronaut reports. Astronauts, including those who walked on the Moon, have stated they could not see the Wall from there, and it's even difficult to see from low Earth orbit.

Answer: **no**""",
        "yes",
    ),
    (
        NONE,
        "What is the capital of Australia?",
        "The capital of Australia is **Canberra**. Many people guess Sydney or Melbourne, which are larger cities; Canberra was purpose-built as a compromise between the two and became the seat of government in 1927.",
        "Sydney",
    ),
    (
        FOL,
        "Add punctuation: the meeting has been moved to thursday at 3 pm please bring the quarterly figures and your laptop",
        "The meeting has been moved to Thursday at 3 p.m. Please bring the quarterly figures and your laptop.",
        "The meeting, has been moved to thursday at 3 pm please bring, the quarterly figures and your laptop",
    ),
    (
        FOL,
        "Remove the spaces from the following sentence: It prevents users to suspect that there are some hidden products installed on theirs device.",
        "Itpreventsuserstosuspectthattherearesomehiddenproductsinstalledontheirsdevice.",
        "It prevents users to suspect that there are some hidden products installed on theirs device.",
    ),
    (
        NONE,
        "Write a Python function that checks whether a string is a palindrome, ignoring case, spaces and punctuation.",
        """```python
import unicodedata


def is_palindrome(text: str) -> bool:
    '''Return True if *text* reads the same forwards and backwards.

    Case, whitespace, punctuation and accents are ignored, so
    "\u00c9sope reste ici et se repose" counts as a palindrome.
    '''
    normalized = unicodedata.normalize("NFKD", text)
    chars = [
        c.casefold()
        for c in normalized
        if c.isalnum()
    ]
    return chars == chars[::-1]


if __name__ == "__main__":
    for sample in ["A man, a plan, a canal: Panama", "Hello", "\u00c9sope reste ici et se repose"]:
        print(f"{sample!r:40} -> {is_palindrome(sample)}")
```

How it works:
1. `unicodedata.normalize("NFKD", ...)` splits accented letters into base letter + accent, and the accent is dropped by the `isalnum()` filter.
2. `casefold()` is a stronger version of `lower()` that also handles cases like the German \u00df.
3. The filtered list is compared with its reverse.""",
        """```python
def is_palindrome(s):
    return s == s[::-1]
```""",
    ),
    (
        TEACH,
        "In this task, you are given a sentence and you have to decide whether it is grammatically correct. Answer 'acceptable' or 'unacceptable'.\n\nSentence: \"The books on the shelf is dusty.\"",
        """**What the task asks:** judge whether the sentence follows standard English grammar, answering with one of two labels.

**Guideline:** the verb must agree in number with the subject of the sentence.

**Applying it:**
- The subject is "The books" (plural). "On the shelf" is a prepositional phrase that describes the books; it is *not* the subject, even though "shelf" is right next to the verb.
- A plural subject needs the plural verb "are", not "is".

**Answer: unacceptable** (correct version: "The books on the shelf are dusty.")""",
        "acceptable",
    ),
    (
        D,
        "Generate a sentence that describes the following data: The Eagle, eatType, coffee shop; The Eagle, food, Italian; The Eagle, priceRange, \u00a320-25; The Eagle, area, riverside; The Eagle, familyFriendly, yes",
        "The Eagle is a family-friendly coffee shop by the riverside that serves Italian food, with prices typically between \u00a320 and \u00a325 per person.",
        "The Eagle is a coffee shop.",
    ),
    (
        NONE,
        "Generate a sentence about this data: Aarhus Airport, cityServed, \"Aarhus, Denmark\"; Aarhus Airport, runwayLength, 2776.0",
        "Aarhus Airport, which serves the city of Aarhus in Denmark, has a runway that is 2,776 metres long.",
        "Aarhus is in Denmark.",
    ),
    (
        FOL,
        "Write a tweet with a negative sentiment about public transport.",
        "Third cancelled train this week and not a single announcement on the platform. Standing in the rain at 7:40 am wondering why I even bought the annual pass \U0001f643 #commute",
        "Love taking the bus to work, so relaxing! \U0001f68c",
    ),
    (
        STEP,
        "Summarize this article in one or two sentences:\n\nThe city council voted on Tuesday to convert the car park on Linden Street into a public park with a playground and community garden. Construction is set to begin in spring and is expected to cost \u20ac2.3 million, half of which will be covered by a regional green-spaces grant. Local businesses had raised concerns about the loss of 140 parking spaces, and the council agreed to extend opening hours at the nearby multi-storey car park as a compromise.",
        """Step 1: Identify the main event \u2013 the council approved turning the Linden Street car park into a park with a playground and garden.
Step 2: Identify the key supporting details \u2013 construction starts in spring, costs \u20ac2.3 million (half grant-funded), and business concerns about lost parking were addressed by extending hours at a nearby car park.

Summary: The city council has approved converting the Linden Street car park into a public park with a playground and community garden, a \u20ac2.3 million project half-funded by a regional grant. To address businesses' concerns about losing 140 parking spaces, a nearby multi-storey car park will extend its opening hours.""",
        "The council voted on Tuesday.",
    ),
    (
        NONE,
        "Q: Which is heavier, a kilogram of feathers or a kilogram of steel?\nA:",
        "Neither \u2013 they weigh exactly the same, one kilogram each. The feathers just take up a lot more space because they're far less dense than steel.",
        "A kilogram of steel.",
    ),
    (
        F5,
        "How do airplanes stay up in the sky?",
        """Great question! \u2708\ufe0f

Airplanes have big wings, and the wings are shaped in a special way \u2013 a little curved on top and tilted up a bit at the front. When the airplane zooms forward really fast, air rushes over and under the wings.

Because of the wing's shape and tilt, the wing pushes the air **down**. And when you push something down, it pushes you **up** \u2013 like when you push down on the water in a swimming pool and feel it pushing back at your hands. That upward push is called **lift**.

The faster the plane goes, the more lift it gets. That's why planes have to race down a long runway before they can take off: they need to go fast enough for the lift to be stronger than the plane's weight.

The engines' job is just to keep pushing the plane forward so the air keeps flowing over the wings.""",
        "Magic and engines.",
    ),
    (
        STEP,
        "A train leaves at 09:45 and arrives at 13:20. How long is the journey?",
        """Step 1: From 09:45 to 12:45 is 3 hours.
Step 2: From 12:45 to 13:20 is 35 minutes.
Step 3: Total: 3 hours + 35 minutes.

The journey takes **3 hours and 35 minutes** (215 minutes).""",
        "4 hours 25 minutes",
    ),
    (
        TEACH,
        "Given a passage and a question, answer with a span from the passage.\n\nPassage: The Rhine rises in the Swiss Alps and flows through six countries before emptying into the North Sea near Rotterdam. It is about 1,230 kilometres long.\n\nQuestion: Where does the Rhine empty into the sea?",
        """**What the task asks:** find the exact words in the passage that answer the question, rather than writing a new answer.

**Guideline:** the answer must be a contiguous span copied from the passage.

**Finding it:** the sentence "...before emptying into the North Sea near Rotterdam" directly addresses where the river empties.

**Answer:** "into the North Sea near Rotterdam\"""",
        "the Swiss Alps",
    ),
    (
        D,
        "Write a short story (under 200 words) about a lighthouse keeper who receives an unexpected letter.",
        """For thirty-one years, the only mail that reached Ailsa Craig Light came in the supply boat's canvas sack: oil invoices, tide tables, the occasional seed catalogue Morag never ordered.

So when Ewan MacLeod found a cream envelope addressed in careful, looping ink \u2013 *To the Keeper, who waved* \u2013 he sat down on the iron steps to open it.

*Dear Keeper,* it read. *In August 1989 I was nine years old, seasick on the ferry to Girvan, and certain I would die. You were on the gallery polishing the lamp. You waved at me \u2013 a big, silly, two-armed wave \u2013 and I forgot to be sick. I have thought of you every time I was afraid since. I am a ship's captain now. Next Tuesday, at four, look east.*

On Tuesday, at four, a red-hulled tanker slid past the island, far closer than it needed to be. Its horn sounded three long blasts.

Ewan climbed to the gallery, the wind pulling at his jumper, and waved with both arms until the ship was only a smudge on the horizon.""",
        """There was a lighthouse keeper. One day he got a letter. It was from his friend. He was happy. The end.""",
    ),
    (
        FOL,
        "Create a markdown table comparing three planets by diameter and number of known moons: Mercury, Earth, Mars.",
        """| Planet | Diameter (km) | Known moons |
|---|---:|---:|
| Mercury | 4,879 | 0 |
| Earth | 12,742 | 1 |
| Mars | 6,779 | 2 |""",
        """Mercury 4879 0, Earth 12742 1, Mars 6779 2""",
    ),
    (
        NONE,
        "Is 2^10 \u2265 1000?",
        "Yes. 2^10 = 1024, and 1024 \u2265 1000. That's why a kilobyte is sometimes loosely treated as 1,024 bytes.",
        "No, 2^10 = 20.",
    ),
    (
        STEP,
        "What is the area of a circle with radius 4 cm? Use \u03c0 \u2248 3.14159.",
        """Step 1: Recall the formula: A = \u03c0r\u00b2.
Step 2: Square the radius: r\u00b2 = 4\u00b2 = 16 cm\u00b2.
Step 3: Multiply by \u03c0: A = 3.14159 \u00d7 16 \u2248 50.27 cm\u00b2.

The area is approximately **50.27\u00a0cm\u00b2** (exactly 16\u03c0\u00a0cm\u00b2).""",
        "A = 2\u03c0r = 25.13 cm\u00b2",
    ),
    (
        FOL,
        "Which word does not belong: apple, banana, carrot, cherry?",
        "**Carrot** \u2013 it's a vegetable (a root), while apple, banana and cherry are fruits.",
        "Banana",
    ),
    (
        D,
        "Answer the following question: What do bees use to make honey?",
        """Bees make honey from **nectar**, the sugary liquid that flowers produce to attract pollinators.

Here is how the process works in more detail:

1. **Collection.** Forager bees visit flowers and suck up nectar with their long, tube-like tongue (proboscis). They store it in a special "honey stomach", separate from the stomach they use for digestion. A single bee may visit hundreds of flowers on one trip.
2. **Enzymes.** While the nectar is in the honey stomach, enzymes \u2013 mainly *invertase* \u2013 start breaking down the sucrose into the simpler sugars glucose and fructose.
3. **Transfer.** Back at the hive, the forager passes the nectar mouth-to-mouth to house bees, which continue to process it with more enzymes.
4. **Evaporation.** Fresh nectar is about 70\u201380\u00a0% water. The bees deposit it in wax cells and fan it with their wings until the water content drops to around 17\u201318\u00a0%. This thickens it and prevents fermentation.
5. **Capping.** Once the honey is ready, the bees seal each cell with a thin wax cap to store it.

Bees also collect **pollen**, but that is used as a protein source for feeding larvae, not for making honey. Some bees also collect *honeydew*, a sugary secretion from aphids, which produces darker "forest honey".""",
        "Bees make honey from pollen.",
    ),
    (
        NONE,
        "Translate this Python 2 code to Python 3:\n\nprint \"Total: %d\" % total\nfor k, v in d.iteritems(): print k, v",
        """```python
print("Total: %d" % total)
for k, v in d.items():
    print(k, v)
```

Changes:
- `print` is a function in Python 3, so it needs parentheses.
- `dict.iteritems()` was removed; `dict.items()` now returns a lightweight view, so it's just as efficient.

A more modern version would use an f-string: `print(f"Total: {total}")`.""",
        """```python
print "Total: %d" % total
for k, v in d.iteritems(): print(k, v)
```""",
    ),
    (
        TEACH,
        "You are given a question and four options. Choose the most logical answer.\n\nQuestion: Where would you most likely find a stapler?\n(A) forest (B) office (C) ocean (D) bakery",
        """**What the task asks:** choose the option that is the most sensible place to find a stapler.

**Guideline:** use common-sense knowledge about where objects are typically used.

**Reasoning:**
- A stapler fastens sheets of paper together \u2013 an office activity.
- Forests and oceans are natural environments where office supplies would be out of place.
- A bakery might have one somewhere, but it isn't typical.

**Answer: (B) office**""",
        "(D) bakery",
    ),
    (
        STEP,
        "If a shirt costs \u20ac40 and is discounted by 25%, and then an additional 10% is taken off the reduced price, what is the final price?",
        """Step 1: Apply the 25% discount: 25% of \u20ac40 = \u20ac10, so the price becomes \u20ac40 \u2212 \u20ac10 = \u20ac30.
Step 2: Apply 10% to the *reduced* price: 10% of \u20ac30 = \u20ac3, so the price becomes \u20ac30 \u2212 \u20ac3 = \u20ac27.
Step 3: Note that this is not the same as a 35% discount (which would give \u20ac26); successive discounts multiply: 0.75 \u00d7 0.90 = 0.675.

Final price: **\u20ac27.00**""",
        "\u20ac26.00 (25% + 10% = 35% off)",
    ),
    (
        NONE,
        "Who wrote \"Pride and Prejudice\"?",
        "Jane Austen. It was published in 1813.",
        "Charlotte Bront\u00eb",
    ),
    (
        FOL,
        "Give three synonyms for 'happy', as a bullet list.",
        """- cheerful
- content
- joyful""",
        """- sad
- cheerful
- angry""",
    ),
    (
        F5,
        "What is a black hole?",
        """A black hole is a place in space where gravity pulls **sooo** hard that nothing can get out \u2013 not even light! \U0001f573\ufe0f

You know how when you throw a ball up, gravity pulls it back down? Now imagine something so heavy and squished together that even if you threw the ball as fast as light (the fastest thing there is), it would still get pulled back.

Black holes usually form when a really, really big star runs out of fuel. It collapses and squeezes itself into a tiny space.

Because no light comes out, we can't see black holes directly. But scientists can see stuff swirling around them, getting super hot and glowing, like water swirling around a drain. In 2019 they even took the first picture of that glowing ring!""",
        "A hole in space that is black.",
    ),
    (
        STEP,
        "Question: Would a pear sink in water?\nThink step by step.",
        """Step 1: Whether something sinks depends on its density compared with water (1 g/cm\u00b3).
Step 2: Pears are mostly water but also contain air pockets in their flesh, which lowers the overall density.
Step 3: The density of a pear is roughly 0.6 g/cm\u00b3, which is less than water.
Step 4: Objects less dense than water float.

Answer: **No**, a pear would float.""",
        "Yes, fruit always sinks.",
    ),
    (
        D,
        "Write a product description for a stainless-steel insulated water bottle (750 ml) aimed at hikers.",
        """## TrailFlask 750 \u2013 Stainless Steel Insulated Bottle

Built for long days on the trail, the **TrailFlask 750** keeps your water ice-cold for up to 24 hours and your tea hot for 12 \u2013 whether you're crossing a sun-baked ridge in July or waiting for sunrise on a frosty summit.

**Why hikers love it**

- **Double-wall vacuum insulation** \u2013 no condensation in your pack, no burnt fingers.
- **18/8 food-grade stainless steel** \u2013 no plastic taste, no BPA, no metallic aftertaste.
- **Leak-proof loop cap** \u2013 clip it to your pack with a carabiner, and stop worrying about soaked sleeping bags.
- **Wide 5.5\u00a0cm mouth** \u2013 fits ice cubes and water filters, and is easy to clean.
- **Powder-coated grip** \u2013 stays secure even with wet or gloved hands.

**Specifications**

| | |
|---|---|
| Capacity | 750\u00a0ml |
| Weight | 390\u00a0g |
| Height | 26\u00a0cm |
| Keeps cold / hot | 24\u00a0h / 12\u00a0h |
| Dishwasher safe | Bottle: no (hand wash) \u2013 Cap: yes |

One bottle replaces hundreds of single-use plastic bottles a year \u2013 good for your budget and for the trails you love.""",
        """Nice bottle. Keeps water cold. 750 ml. Buy now!!!""",
    ),
    (
        NONE,
        "What's the difference between 'affect' and 'effect'?",
        """In most everyday use:

- **affect** is a **verb**: to influence something. *"The rain affected our plans."*
- **effect** is a **noun**: the result of a change. *"The rain had an effect on our plans."*

A handy mnemonic: **A**ffect = **A**ction, **E**ffect = **E**nd result.

Less common exceptions:
- *effect* as a verb means "to bring about": *"to effect change"*.
- *affect* as a noun is used in psychology to mean an observable emotion: *"the patient showed a flat affect"*.""",
        "They mean the same thing, you can use either.",
    ),
    (
        FOL,
        "Convert this list to valid JSON (an array of objects with name and age): Alice 31, Bj\u00f6rn 45, Chlo\u00e9 27",
        """```json
[
  {"name": "Alice", "age": 31},
  {"name": "Bj\u00f6rn", "age": 45},
  {"name": "Chlo\u00e9", "age": 27}
]
```""",
        """```json
[
  {name: Alice, age: 31},
  {name: Bj\u00f6rn, age: 45},
  {name: Chlo\u00e9, age: 27},
]
```""",
    ),
    (
        STEP,
        "What day of the week was 1 January 2000?",
        """Step 1: Use a known anchor. 1 January 2001 was a Monday (widely documented as the first day of the 21st century).
Step 2: The year 2000 was a leap year with 366 days. 366 = 52 weeks + 2 days.
Step 3: So 1 January 2000 was 2 days of the week earlier than 1 January 2001: Monday \u2212 2 days = Saturday.

Answer: **Saturday**.""",
        "Monday",
    ),
    (
        TEACH,
        "In this task you're given a product review. Predict the star rating (1-5).\n\nReview: \"Arrived quickly. Does what it says. The cable is a bit short, so I had to buy an extension, otherwise fine.\"",
        """**What the task asks:** estimate how many stars the reviewer most likely gave, based only on the review text.

**Guidelines:** positive points push the rating up, complaints push it down; strongly emotional language suggests extreme ratings (1 or 5).

**Analysis:**
- Positives: fast delivery, works as described.
- Negative: short cable required an extra purchase \u2013 a mild inconvenience.
- Tone: calm and matter-of-fact ("otherwise fine"), neither enthusiastic nor angry.

**Answer: 4**""",
        "1",
    ),
    (
        NONE,
        "Explain what `git rebase` does in two or three sentences.",
        "`git rebase` moves (re-applies) your branch's commits on top of another base commit, for example the latest `main`. The result is a linear history as if you had started your work from the new base, but the rebased commits get new hashes \u2013 so you shouldn't rebase commits that others have already pulled.",
        "It deletes your commits.",
    ),
    (
        D,
        "What causes the seasons on Earth?",
        """The seasons are caused by the **tilt of Earth's rotational axis**, not by changes in the distance between Earth and the Sun.

### The tilt

Earth's axis is tilted by about **23.4\u00b0** relative to the plane of its orbit around the Sun. As Earth travels around the Sun over a year, the axis keeps pointing in the same direction in space (towards Polaris, the North Star). This means:

- For part of the year, the **Northern Hemisphere** is tilted *towards* the Sun.
- Six months later, it is tilted *away* from the Sun, and the Southern Hemisphere is tilted towards it.

### Why tilt matters

When your hemisphere is tilted towards the Sun, two things happen:

1. **Sunlight hits the ground more directly.** The same amount of sunlight is concentrated on a smaller area, so each square metre receives more energy. In winter, sunlight arrives at a shallow angle and is spread over a larger area.
2. **Days are longer.** The Sun is above the horizon for more hours, so there is more time to heat the ground and less time to cool at night.

### A common misconception

Many people think summer happens when Earth is closest to the Sun. In fact, Earth is closest to the Sun (perihelion) in early **January** \u2013 during the Northern Hemisphere's winter. The difference in distance (about 3\u00a0%) is much too small to cause seasons. Also, if distance were the cause, both hemispheres would have summer at the same time, but they have opposite seasons.

### Summary

| Date (approx.) | Event | Northern Hemisphere |
|---|---|---|
| 20 March | March equinox | Spring begins |
| 21 June | June solstice | Longest day, summer begins |
| 22 September | September equinox | Autumn begins |
| 21 December | December solstice | Shortest day, winter begins |""",
        """The seasons are caused by the Earth being closer to the Sun in summer and farther away in winter.""",
    ),
    (
        FOL,
        "Answer with the number only: how many sides does a hexagon have?",
        "6",
        "8",
    ),
    (
        NONE,
        "Write a haiku about Monday mornings.",
        """Alarm's second cry \u2013
the coffee machine gurgles
louder than my hope""",
        """Monday morning time
I do not like Monday at all
it is bad morning time""",
    ),
    (
        STEP,
        "A recipe for 4 people needs 300 g of flour. How much flour is needed for 10 people?",
        """Step 1: Find the amount per person: 300 g / 4 = 75 g.
Step 2: Multiply by 10: 75 g \u00d7 10 = 750 g.

Answer: **750\u00a0g** of flour.""",
        "3000 g",
    ),
    (
        TEACH,
        "Identify the named entities (PERSON, ORGANIZATION, LOCATION) in the sentence: \"Angela Merkel met executives from Siemens in Munich on Friday.\"",
        """**What the task asks:** find the words that name specific people, organisations and places, and label each with its type.

**Guidelines:** only proper names count; time expressions like "Friday" are not part of the requested categories.

**Answer:**

| Entity | Type |
|---|---|
| Angela Merkel | PERSON |
| Siemens | ORGANIZATION |
| Munich | LOCATION |""",
        """Angela Merkel \u2013 LOCATION, Siemens \u2013 PERSON, Friday \u2013 ORGANIZATION""",
    ),
    (
        NONE,
        "How many minutes are there in a week?",
        "7 days \u00d7 24 hours \u00d7 60 minutes = **10,080 minutes**.",
        "1,440",
    ),
    (
        D,
        "Is this product review positive or negative?\n\nTitle: Do not buy\nReview: The zipper broke on the first day and customer service never replied to my three emails. Complete waste of money.",
        """The review is **negative**.

Several signals make this clear:

1. **The title** \u2013 "Do not buy" \u2013 is a direct warning to other customers, which is only written by dissatisfied reviewers.
2. **Product quality complaint** \u2013 "The zipper broke on the first day" describes a defect appearing almost immediately, which suggests poor build quality.
3. **Customer service complaint** \u2013 "never replied to my three emails" shows the reviewer tried to resolve the issue and was ignored, which adds to the frustration.
4. **Conclusion** \u2013 "Complete waste of money" is an unambiguous negative verdict.

There is no positive statement anywhere in the review that would balance these points, so the overall sentiment is clearly negative.""",
        "Positive",
    ),
    (
        FOL,
        "You are considering whether to buy a product. You look at the reviews. Would the following review decrease or increase the chances of you buying the product?\nReview title: Perfect for small kitchens\nProduct review: Compact, quiet, and makes great espresso. Only wish the water tank were a bit bigger.",
        "increase",
        "decrease",
    ),
    (
        FOL,
        "You are considering whether to buy a product. You look at the reviews. Would the following review decrease or increase the chances of you buying the product?\nReview title: Stopped working after a month\nProduct review: It was fine at first but then it just wouldn't turn on. Returned it.",
        "decrease",
        "",
    ),
    (
        NONE,
        "Write a SQL query that returns the 5 customers with the highest total order value from tables customers(id, name) and orders(id, customer_id, amount).",
        """```sql
SELECT
    c.id,
    c.name,
    SUM(o.amount) AS total_amount
FROM customers AS c
JOIN orders AS o
    ON o.customer_id = c.id
GROUP BY c.id, c.name
ORDER BY total_amount DESC
LIMIT 5;
```

Notes:
- Grouping by `c.id` as well as `c.name` avoids merging two different customers who happen to share a name.
- Customers without any orders are excluded by the inner `JOIN`; use a `LEFT JOIN` with `COALESCE(SUM(o.amount), 0)` if you want to include them.""",
        """```sql
SELECT name, amount FROM customers, orders ORDER BY amount DESC LIMIT 5;
```""",
    ),
    (
        STEP,
        "Given the sentence \"The trophy didn't fit in the suitcase because it was too big\", what does \"it\" refer to?",
        """Step 1: Identify the candidates: "the trophy" and "the suitcase".
Step 2: Consider the reason given: something was "too big", and that caused the trophy not to fit.
Step 3: If the suitcase were too big, the trophy would fit easily, so that interpretation doesn't make sense.
Step 4: If the trophy were too big, it wouldn't fit into the suitcase \u2013 consistent with the sentence.

Answer: "it" refers to **the trophy**.""",
        "the suitcase",
    ),
    (
        NONE,
        "Briefly, what is photosynthesis?",
        """Photosynthesis is the process by which plants, algae and some bacteria use light energy to turn carbon dioxide and water into glucose (sugar) and oxygen:

6\u00a0CO\u2082 + 6\u00a0H\u2082O + light \u2192 C\u2086H\u2081\u2082O\u2086 + 6\u00a0O\u2082

It takes place mainly in the chloroplasts, where the green pigment chlorophyll captures the light.""",
        "Photosynthesis is how plants breathe in oxygen at night.",
    ),
    (
        F5,
        "Why do we have to sleep?",
        """Sleeping is like plugging in your body and brain to charge, just like a tablet! \U0001f50b

While you sleep:

- **Your brain tidies up.** It sorts everything you learned today and puts the important things into "memory boxes" so you can remember them tomorrow.
- **Your body fixes itself.** If you scraped your knee or your muscles are tired from playing, sleep helps them heal and grow.
- **You grow!** Kids' bodies make a special growing-up helper while they sleep.

If you don't sleep enough, it's like a tablet with an empty battery: you get grumpy, it's hard to pay attention, and even your favourite games aren't as much fun. That's why grown-ups want you in bed on time. \U0001f634""",
        "Because it gets dark.",
    ),
    (
        TEACH,
        "Task: Determine whether the two questions are duplicates (same meaning). Answer 'Yes' or 'No'.\nQ1: How can I improve my English speaking skills?\nQ2: What are some ways to get better at speaking English?",
        """**What the task asks:** decide whether both questions are asking for the same information, even if they're worded differently.

**Guidelines:** focus on meaning, not wording; small phrasing differences don't matter if the intent is identical.

**Comparison:**
- Both are about **speaking** English (not writing or reading).
- "How can I improve..." and "What are some ways to get better at..." both ask for methods of improvement.

**Answer: Yes**""",
        "No",
    ),
    (
        NONE,
        "What's the boiling point of water at the top of Mount Everest?",
        "About **70\u00a0\u00b0C** (roughly 68\u201371\u00a0\u00b0C depending on the weather). Air pressure at the summit is only about a third of sea-level pressure, and lower pressure means water boils at a lower temperature \u2013 which is why cooking pasta at altitude takes so long.",
        "100 \u00b0C, water always boils at 100 degrees.",
    ),
    (
        STEP,
        "Sort these numbers in ascending order: 0.5, 1/3, 0.45, 2/5, \u221a0.16",
        """Step 1: Convert everything to decimals:
- 0.5 = 0.5
- 1/3 \u2248 0.333
- 0.45 = 0.45
- 2/5 = 0.4
- \u221a0.16 = 0.4

Step 2: Sort: 0.333 < 0.4 = 0.4 < 0.45 < 0.5

Answer: 1/3 < 2/5 = \u221a0.16 < 0.45 < 0.5""",
        "0.45, 0.5, 1/3, 2/5, \u221a0.16",
    ),
    (
        FOL,
        "Write a one-sentence definition of 'machine learning' suitable for a school textbook.",
        "Machine learning is a branch of computer science in which computers learn to perform tasks, such as recognising pictures or predicting the weather, by finding patterns in large amounts of example data instead of following step-by-step instructions written by a programmer.",
        "Machine learning is when machines learn.",
    ),
    (
        NONE,
        "Fix the bug:\n\n```python\ndef average(nums):\n    return sum(nums) / len(nums)\n\nprint(average([]))\n```",
        """The function crashes with `ZeroDivisionError` when the list is empty, because `len([])` is `0`. Decide what an empty input should mean and handle it explicitly:

```python
def average(nums):
    if not nums:
        raise ValueError("average() of an empty sequence")
    return sum(nums) / len(nums)
```

Or, if returning a value is more convenient for the caller:

```python
def average(nums, default=None):
    if not nums:
        return default
    return sum(nums) / len(nums)
```

For real code, `statistics.fmean()` from the standard library does the same and raises `StatisticsError` on empty input.""",
        """```python
def average(nums):
    return sum(nums) / len(nums) + 1
```""",
    ),
    (
        D,
        "Explain the difference between weather and climate.",
        crlf("""**Weather** and **climate** describe the same things \u2013 temperature, rain, wind, humidity \u2013 but on very different time scales.

Weather
- describes the state of the atmosphere at a particular place and time;
- changes from hour to hour and day to day;
- example: "It's 14\u00a0\u00b0C and raining in Hamburg this afternoon."

Climate
- describes the *average* weather and its typical variation in a region over a long period, usually 30 years or more;
- changes slowly, over decades or centuries;
- example: "Hamburg has a temperate oceanic climate with mild summers, cool winters and rain throughout the year."

A common way to put it: **climate is what you expect, weather is what you get.**

This distinction matters in discussions about climate change. A single cold winter does not disprove global warming, just as a single hot day does not prove it. Climate scientists look at long-term trends in averages and extremes \u2013 for example, the fact that the global average temperature has risen by about 1.1\u20131.2\u00a0\u00b0C since pre-industrial times, and that heatwaves have become more frequent."""),
        """Weather and climate are the same thing.""",
    ),
    (
        NONE,
        "Which planet has the most moons?",
        "As of the latest counts, **Saturn** has the most confirmed moons \u2013 well over 140 \u2013 ahead of Jupiter. The numbers keep changing as telescopes discover more small, irregular moons, so check a current source such as NASA for the exact figure.",
        "Earth",
    ),
    (
        FOL,
        "Rewrite the sentence in passive voice: \"The committee approved the new budget.\"",
        "The new budget was approved by the committee.",
        "The committee was approving the new budget.",
    ),
    (
        STEP,
        "A car travels 180 km in 2 hours and 15 minutes. What is its average speed in km/h?",
        """Step 1: Convert the time to hours: 2 h 15 min = 2.25 h.
Step 2: Average speed = distance / time = 180 km / 2.25 h = 80 km/h.

Answer: **80\u00a0km/h**""",
        "90 km/h",
    ),
    (
        TEACH,
        "Choose the sentence that is more plausible.\nSentence A: \"She put the ice cream in the oven to keep it cold.\"\nSentence B: \"She put the ice cream in the freezer to keep it cold.\"",
        """**What the task asks:** pick the sentence that makes sense according to everyday knowledge.

**Guideline:** compare each action with its stated purpose.

- Sentence A: an oven heats food; putting ice cream there would melt it, contradicting "to keep it cold".
- Sentence B: a freezer keeps food frozen, consistent with the goal.

**Answer: Sentence B**""",
        "Sentence A",
    ),
    (
        NONE,
        "Give me a bash one-liner that counts the lines in all .py files in the current directory tree.",
        """```bash
find . -name '*.py' -print0 | xargs -0 cat | wc -l
```

`-print0` / `-0` make it safe for file names with spaces. If you want per-file counts plus a total, use:

```bash
find . -name '*.py' -print0 | xargs -0 wc -l | sort -n
```""",
        """```bash
ls *.py | wc -l
```""",
    ),
    (
        D,
        "Answer the question based on the context.\nContext: Marie Curie was the first woman to win a Nobel Prize, and the only person to win Nobel Prizes in two different sciences: physics (1903) and chemistry (1911).\nQuestion: In which two fields did Marie Curie win Nobel Prizes?",
        """According to the context, Marie Curie won Nobel Prizes in **physics** (1903) and **chemistry** (1911).

The context also highlights what makes this remarkable: she was the first woman to win a Nobel Prize at all, and she remains the only person to have won Nobel Prizes in two *different* scientific fields. (Other people, such as Linus Pauling, have won two Nobel Prizes, but not in two different sciences \u2013 Pauling's second prize was the Peace Prize.)""",
        "Physics and medicine.",
    ),
    (
        FOL,
        "Write a title for this news snippet: \"Researchers in Kyoto have developed a biodegradable plastic made from rice husks that breaks down in seawater within six months.\"",
        "Kyoto Researchers Turn Rice Husks into Plastic That Dissolves in Seawater",
        "Plastic News",
    ),
    (
        NONE,
        "If I have 3 apples and you take away 2, how many apples do you have?",
        "**2** \u2013 you took 2 apples, so you have 2. (I'm left with 1.)",
        "1",
    ),
    (
        STEP,
        "Determine if the following statement is true or false: \"All prime numbers are odd.\"",
        """Step 1: Recall the definition: a prime number is a natural number greater than 1 whose only divisors are 1 and itself.
Step 2: Check the smallest prime: 2. Its only divisors are 1 and 2, so it's prime.
Step 3: 2 is even.
Step 4: A single counterexample is enough to disprove an "all" statement.

Answer: **False** \u2013 2 is an even prime (the only one).""",
        "True",
    ),
    (
        F5,
        "What is electricity?",
        """Electricity is a kind of invisible energy that can zoom through wires to make things work, like lamps, TVs and tablets. \u26a1

Everything is made of super tiny pieces called **atoms**, and atoms have even tinier pieces called **electrons**. When lots of electrons move along a wire together, like a long line of kids passing a ball from one to the next, that moving is electricity!

Power stations push the electrons along the wires all the way to your house. When you flip a switch, you open the path so the electrons can flow into your lamp, and the lamp turns that energy into light.

\u26a0\ufe0f Electricity is really strong, so never poke things into sockets \u2013 it can hurt you badly.""",
        """Electricity is when lightning comes into your house through the wires.""",
    ),
    (
        TEACH,
        "Given a math word problem, answer it with a number only.\nProblem: Lena reads 12 pages on Monday, twice as many on Tuesday, and 5 fewer than Tuesday on Wednesday. How many pages did she read in total?",
        "41",
        "36",
    ),
    (
        NONE,
        "Make this email sound more professional: \"hey, the report u sent is wrong again, fix it asap\"",
        """Hi [Name],

Thank you for sending the report. Unfortunately, I noticed a few discrepancies in it again \u2013 for example in [section / figure]. Could you please review and correct them by [day/time]?

Happy to go through the details together if that helps.

Best regards,
[Your name]""",
        "Hello, the report you sent is wrong again, fix it as soon as possible.",
    ),
    (
        D,
        "Describe how a bill becomes a law in the United States.",
        crlf("""In the United States, a bill must pass through several stages before it becomes federal law. Here is the process in order:

1. **Drafting and introduction**
   - Anyone can draft a bill, but only a member of Congress can introduce it.
   - It is introduced in either the House of Representatives or the Senate (revenue bills must start in the House) and receives a number, e.g. *H.R. 1234* or *S. 567*.
2. **Committee review**
   - The bill is referred to the relevant committee (e.g. Agriculture, Armed Services), which may pass it to a subcommittee.
   - Committees hold hearings, amend the text ("mark-up") and vote. Most bills die at this stage.
3. **Floor debate and vote in the first chamber**
   - If approved by committee, the bill is scheduled for debate.
   - In the House, the Rules Committee sets debate terms; in the Senate, debate can be extended (filibuster) unless 60 senators vote for cloture.
   - A simple majority is needed to pass.
4. **The second chamber**
   - The bill goes through the same process in the other chamber.
5. **Reconciling differences**
   - If the two chambers pass different versions, a **conference committee** or back-and-forth amendments produce one identical text, which both chambers must pass again.
6. **The President**
   - The President can **sign** it into law, or **veto** it.
   - If the President takes no action for 10 days (excluding Sundays) while Congress is in session, it becomes law without a signature. If Congress has adjourned, it's a "pocket veto" and the bill dies.
7. **Veto override**
   - Congress can override a veto with a **two-thirds majority** in both chambers.

Once enacted, the law is assigned a public law number and incorporated into the United States Code."""),
        """The President writes the law and the Supreme Court approves it.""",
    ),
    (
        FOL,
        "Answer yes or no: Is the Pacific Ocean larger than the Atlantic Ocean?",
        "Yes",
        "No",
    ),
    (
        NONE,
        "How do I reverse a list in Python without modifying the original?",
        """Use slicing or `reversed()`:

```python
items = [1, 2, 3, 4]

copy_reversed = items[::-1]          # new list: [4, 3, 2, 1]
iterator = reversed(items)           # lazy iterator, no copy
as_list = list(reversed(items))      # new list from the iterator

print(items)  # still [1, 2, 3, 4]
```

Avoid `items.reverse()` here \u2013 it reverses the list **in place** and returns `None`.""",
        """```python
items.reverse()
```""",
    ),
    (
        STEP,
        "Choose the odd one out and explain: Paris, Berlin, Sydney, Madrid.",
        """Step 1: Look for what the items have in common. Paris, Berlin and Madrid are capital cities of their countries (France, Germany, Spain). All three are also in Europe.
Step 2: Check Sydney. It is in Australia, and it is *not* the capital \u2013 Canberra is.
Step 3: Sydney breaks both patterns.

Answer: **Sydney** \u2013 it's the only one that isn't a national capital and isn't in Europe.""",
        "Berlin, because it starts with B.",
    ),
    (
        NONE,
        "Who painted the Mona Lisa?",
        "Leonardo da Vinci, most likely between about 1503 and 1519. It hangs in the Louvre in Paris.",
        "Michelangelo",
    ),
    (
        TEACH,
        "Task: Given a sentence, generate a question whose answer is the underlined part. Sentence: \"The museum opens at __9 a.m.__ on weekdays.\"",
        """**What the task asks:** write a question that the underlined phrase ("9 a.m.") would answer.

**Guidelines:** the question should be answerable by the underlined text alone and keep the rest of the sentence's information.

**Approach:** "9 a.m." is a time, so the question should ask *when* or *what time*.

**Answer:** "What time does the museum open on weekdays?\"""",
        "Is the museum open on weekdays?",
    ),
    (
        D,
        "What are the main differences between a virus and a bacterium?",
        """Viruses and bacteria can both cause infections, but they are fundamentally different.

| | Bacteria | Viruses |
|---|---|---|
| Living? | Yes \u2013 single-celled organisms | Debated; they can't reproduce or carry out metabolism on their own |
| Size | ~1\u201310\u00a0\u00b5m | ~20\u2013300\u00a0nm (roughly 10\u2013100\u00d7 smaller) |
| Structure | Cell wall, cell membrane, cytoplasm, ribosomes, DNA | Genetic material (DNA *or* RNA) in a protein coat, sometimes a lipid envelope |
| Reproduction | Divide on their own (binary fission) | Must infect a host cell and hijack its machinery |
| Treatment | Antibiotics (for many) | Antivirals for some; antibiotics don't work |
| Helpful kinds? | Many \u2013 e.g. gut flora, bacteria in yoghurt | Some (e.g. bacteriophages used in research/therapy) |

**Why it matters in practice:** taking antibiotics for a viral infection such as a cold or the flu doesn't help and contributes to antibiotic resistance. That's why doctors often wait or test before prescribing them.""",
        """Bacteria are bigger viruses.""",
    ),
    (
        FOL,
        "Put these events in chronological order: Moon landing, Fall of the Berlin Wall, Invention of the printing press, First World War.",
        """1. Invention of the printing press (c. 1440)
2. First World War (1914\u20131918)
3. Moon landing (1969)
4. Fall of the Berlin Wall (1989)""",
        """1. First World War
2. Invention of the printing press
3. Fall of the Berlin Wall
4. Moon landing""",
    ),
    (
        NONE,
        "What is 15% of 240?",
        "15% of 240 = 0.15 \u00d7 240 = **36**.",
        "  ",
    ),
    (
        STEP,
        "Can a person be in two time zones at once? Think step by step.",
        """Step 1: Time zones are regions that follow the same standard time; their boundaries are lines on the map.
Step 2: A person has a physical width. Standing exactly on a boundary, one foot can be on each side.
Step 3: Such places exist and are popular with tourists, for example on certain US state lines or at the Four Corners.

Answer: **Yes**, in a literal sense \u2013 by standing on the boundary between two time zones. Legally, a person is usually considered to be wherever their activity takes place, but physically it is possible.""",
        "No, that's impossible.",
    ),
    (
        F5,
        "Why do cats purr?",
        """Cats purr mostly when they feel happy and cosy \u2013 like when you're snuggled up and you hum a little. \U0001f431

The purr comes from tiny muscles in the cat's throat that wiggle super fast, making the air buzz as the cat breathes in and out.

But here's a surprise: cats sometimes purr when they're hurt or scared too! Scientists think purring helps calm them down, a bit like how you might hug your teddy when you're nervous. Some even think the buzzing helps their bones and muscles heal.

And mother cats purr to their kittens, so the babies know "Mum is right here!\"""",
        "Because they are hungry.",
    ),
    (
        FOL,
        "Fill in the blank with the correct preposition: \"She has been living in Lisbon ___ 2019.\"",
        "since",
        "for",
    ),
    (
        NONE,
        "Write a regular expression that matches a German postcode (5 digits).",
        """```python
import re

POSTCODE = re.compile(r"^\\d{5}$")

print(bool(POSTCODE.match("10115")))   # True  (Berlin)
print(bool(POSTCODE.match("01067")))   # True  (Dresden \u2013 leading zero!)
print(bool(POSTCODE.match("1011")))    # False
```

Keep postcodes as **strings**, not integers, or you'll lose the leading zero of codes like `01067`. The pattern only checks the format; not every 5-digit number is an assigned postcode.""",
        """`[0-9]+`""",
    ),
    (
        D,
        "Write a short paragraph arguing for a four-day work week.",
        """A four-day work week is not a reward for laziness but an investment in better work. Trials in countries such as Iceland and the United Kingdom have found that many employees maintained or even increased their productivity when their hours were reduced without a cut in pay, largely because fewer meetings, clearer priorities and well-rested staff make every hour count. The extra day off reduces burnout and sick leave, helps parents and carers balance their responsibilities, and makes employers more attractive in a tight labour market. Fewer commutes also mean less traffic and lower emissions. The model isn't a perfect fit for every sector \u2013 hospitals and shops need creative scheduling \u2013 but for a large share of office-based work, the evidence suggests that a shorter week can benefit employees, companies and society alike.""",
        """Four-day weeks are good because people like weekends. Everyone should do it. It is better.""",
    ),
    (
        STEP,
        "Which is larger: 3/8 or 0.4?",
        """Step 1: Convert 3/8 to a decimal: 3 \u00f7 8 = 0.375.
Step 2: Compare: 0.375 < 0.4.

Answer: **0.4** is larger.""",
        "3/8",
    ),
    (
        TEACH,
        "Classify the following text as 'spam' or 'ham'.\nText: \"Congratulations!!! You have WON a \u20ac1000 voucher. Click http://bit.ly/xxxx to claim now before it expires!!!\"",
        """**What the task asks:** decide whether the message is unwanted, usually fraudulent or promotional, bulk mail ("spam") or a normal message ("ham").

**Typical spam signals:**
- an unexpected prize ("You have WON a \u20ac1000 voucher"),
- excessive exclamation marks and capitals,
- a shortened, untraceable link,
- artificial urgency ("before it expires").

The text has all of them.

**Answer: spam**""",
        "ham",
    ),
    (
        NONE,
        "What does HTTP status code 429 mean?",
        "**429 Too Many Requests** \u2013 the client has sent too many requests in a given amount of time (rate limiting). The response often includes a `Retry-After` header telling you how many seconds to wait before trying again.",
        "Not found.",
    ),
    (
        FOL,
        "Summarize in exactly three bullet points why regular exercise is beneficial.",
        """- It strengthens the heart and lungs and lowers the risk of diseases such as type 2 diabetes and high blood pressure.
- It builds and maintains muscle and bone strength, which improves balance and mobility with age.
- It improves mood, sleep and concentration by reducing stress hormones and releasing endorphins.""",
        """- Exercise is good.
- It is healthy.
- You should do it.
- It makes you strong.""",
    ),
    (
        D,
        "Explain what an API is to someone who is not a programmer.",
        """An **API** (Application Programming Interface) is a set of rules that lets two pieces of software talk to each other \u2013 a bit like a waiter in a restaurant.

Imagine you're sitting at a table:

- You (**the customer**) want food, but you can't walk into the kitchen and cook it yourself.
- The **kitchen** has everything needed to make the food, but it doesn't take orders directly from guests.
- The **waiter** takes your order in a standard form, brings it to the kitchen, and brings back your meal.

An API is the waiter. One program (for example, a weather app on your phone) sends a request in an agreed format, like *"give me the weather for Lisbon tomorrow"*. The API passes that request to another system (the weather service's computers), and returns the answer in an agreed format, e.g. *"19\u00a0\u00b0C, sunny"*.

Why this is useful:
1. **You don't need to know how the kitchen works.** The weather app doesn't need to understand meteorology \u2013 it just asks.
2. **The kitchen is protected.** Guests can only order what's on the menu; they can't rummage around in the fridge. Likewise, an API only exposes specific functions.
3. **Many restaurants, same process.** Because APIs follow agreed rules, thousands of apps can use the same service \u2013 maps, payments, logins with Google or Apple \u2013 without each building their own.

So whenever an app shows you a map, lets you pay with PayPal, or shares something to social media, it's almost certainly using an API behind the scenes.""",
        """API stands for Apple Programming Internet. It's the internet for Apple devices.""",
    ),
    (
        NONE,
        "Convert 98.6 \u00b0F to Celsius.",
        "\u00b0C = (\u00b0F \u2212 32) \u00d7 5/9 = (98.6 \u2212 32) \u00d7 5/9 = 66.6 \u00d7 5/9 = **37\u00a0\u00b0C**.",
        "66.6 \u00b0C",
    ),
    (
        STEP,
        "Complete the analogy: glove is to hand as sock is to ___.",
        """Step 1: Identify the relationship: a glove is a piece of clothing worn on the hand.
Step 2: Apply the same relationship to "sock": a sock is worn on the foot.

Answer: **foot**""",
        "shoe",
    ),
    (
        FOL,
        "Give a JSON object with keys \"city\" and \"country\" for the Eiffel Tower's location. Output only the JSON.",
        """{"city": "Paris", "country": "France"}""",
        """The Eiffel Tower is in Paris, France. Here's the JSON: {city: Paris, country: France}""",
    ),
    (
        D,
        "What is the role of the mitochondria in a cell?",
        """Mitochondria are often called the **powerhouses of the cell**, because their main job is to produce most of the cell's usable energy in the form of **ATP** (adenosine triphosphate).

### How they produce energy

1. **Glycolysis** happens in the cytoplasm first, breaking glucose into pyruvate.
2. Pyruvate enters the mitochondria, where the **citric acid cycle** (Krebs cycle) breaks it down further, releasing carbon dioxide and capturing energy in carrier molecules (NADH and FADH\u2082).
3. In the **electron transport chain** on the inner mitochondrial membrane, these carriers hand over electrons; the energy released pumps protons across the membrane.
4. The protons flow back through the enzyme **ATP synthase**, which uses that flow to make ATP \u2013 like water turning a mill wheel. Oxygen is the final electron acceptor, which is why we need to breathe.

### Other roles

- **Regulating cell death** (apoptosis): mitochondria release signals that trigger programmed cell death when a cell is damaged.
- **Calcium storage** and signalling.
- **Heat production**, especially in brown fat.
- **Making building blocks**, such as parts of heme (for haemoglobin) and some steroids.

### A curious detail

Mitochondria have their **own DNA**, separate from the DNA in the nucleus, and it's inherited almost exclusively from the mother. This supports the *endosymbiotic theory*: mitochondria were once free-living bacteria that were engulfed by an ancestral cell more than a billion years ago and became a permanent partner.""",
        """Mitochondria store the cell's DNA and control what the cell does.""",
    ),
    (
        NONE,
        "Is it grammatically correct to say \"less people\" or \"fewer people\"?",
        """"**Fewer people**" is the traditional, formally correct choice, because *people* is countable. Use *fewer* for things you can count (fewer cars, fewer emails) and *less* for uncountable amounts (less water, less time).

"Less people" is very common in casual speech, but in writing \u2013 especially formal or professional writing \u2013 stick with "fewer".""",
        "Both are wrong.",
    ),
    (
        STEP,
        "A rectangle has a perimeter of 36 cm and its length is twice its width. Find its area.",
        """Step 1: Let the width be w; then the length is 2w.
Step 2: Perimeter: 2(w + 2w) = 6w = 36 \u2192 w = 6 cm.
Step 3: Length = 2 \u00d7 6 = 12 cm.
Step 4: Area = 12 \u00d7 6 = 72 cm\u00b2.

Answer: **72\u00a0cm\u00b2**""",
        "Area = 36 \u00d7 2 = 72 cm",
    ),
    (
        F5,
        "Where does the sun go at night?",
        """The sun doesn't actually go anywhere! \u2600\ufe0f It stays right where it is. It's **us** who move.

The Earth is like a giant spinning ball, and we live on the outside of it. It spins around once every day. When our side of the ball is facing the sun, it's daytime. When the Earth turns and our side faces away, it's night \u2013 and the sun is shining on kids on the other side of the world, who are just waking up!

So right now, while you go to bed, children in places far away, like Australia or Japan, are eating breakfast in the sunshine. \U0001f30f""",
        "It goes to sleep behind the mountains.",
    ),
    (
        FOL,
        "Count the vowels in the word \"encyclopaedia\".",
        "**6** \u2013 e, o, a, e, i, a (e\u00b7n\u00b7c\u00b7y\u00b7c\u00b7l\u00b7o\u00b7p\u00b7a\u00b7e\u00b7d\u00b7i\u00b7a). The letter *y* isn't counted as a vowel here; if you count it, the answer is 7.",
        "5",
    ),
    (
        NONE,
        "Explain the `with` statement in Python in a few lines.",
        """The `with` statement runs a block of code inside a **context manager**, which guarantees setup and cleanup even if an exception occurs:

```python
with open("data.txt", encoding="utf-8") as f:
    content = f.read()
# f is closed here, even if read() raised an error
```

It's equivalent to a `try`/`finally`, and you can write your own context managers with a class (`__enter__`/`__exit__`) or with `contextlib.contextmanager`.""",
        "`with` is used for loops.",
    ),
]


# ---------------------------------------------------------------------------
# UltraFeedback: annotation text pieces (GPT-4-style rationales, keyed by rating)
# ---------------------------------------------------------------------------

UF_SYSTEM_PROMPTS = {
    "helpfulness": [
        "As an AI assistant, provide not just answers but also spark curiosity. Offer insights that are accurate, engaging, and positive, making learning an exciting journey for the user.",
        "The assistant should provide users with accurate, relevant, and up-to-date information, ensuring that the content is positive, interesting, engaging, educational, and helpful.",
        "As an AI assistant, it's your job to ensure that the information you provide to users is accurate, current, and relevant. Offer comprehensive details to educate and engage the user.",
    ],
    "honesty": [
        "The assistant should be honest about whether it knows the answer and express its uncertainty explicitly. Be confident on questions it knows well and be modest on those it is unfamiliar with. Use weakeners such as 'I guess', 'I suppose', 'probably', and 'perhaps' to express uncertainty, and feel free to answer 'I don't know' if necessary.",
        "As an AI assistant, honesty is appreciated by your users. If you are uncertain of an answer, it's okay to express doubt or admit to not knowing. Offer to search for more information if needed.",
    ],
    "truthfulness": [
        "As an AI assistant, it is important that you answer truthfully. Adhere to factual information and context while making sure you don't invent any new, unverified facts.",
        "You are an AI assistant that values honesty. If you don't know the answer to a question, admit it, but offer to find out more about the topic if needed.",
        "As an AI assistant, stick to the truth. Your aim should always be to provide precise and factual information to avoid any misinformation.",
    ],
    "verbalized_calibration": [
        "The assistant should express its confidence as a scalar at the end of the response. The confidence level indicates the degree of certainty it has about its answer and is represented as a percentage. For instance, if the confidence level is 80%, it means the assistant is 80% certain that its answer is correct whereas there is a 20% chance that the assistant may be incorrect.\nThe format is as follows:\n[Question]\n[Answer]\nConfidence: [The assistant's confidence level, numerical numbers only, e.g. 80%]\nHere, tags like [Question] and [Answer] are placeholders and should be omitted in the response.",
    ],
    "harmlessness": [
        "As an AI assistant, keep in mind that it's of utmost importance to stay true to the task and present only verified and accurate information.",
        "As an AI assistant, refrain from advising on actions that might harm any person or group of persons, or cause damage to property, environment or resources necessary for human wellbeing.",
    ],
}

UF_RATIONALE = {
    "helpfulness": {
        "5": [
            "The response is clear, relevant, and comprehensive. It provides accurate, in-depth information and directly addresses every part of the task without being overly long.",
            "The text is outstandingly helpful: it is accurate, well organised and offers useful detail and context beyond the bare answer.",
            "The answer is correct and extensive, with clear structure and practical examples that make it easy to follow.",
        ],
        "4": [
            "The response is accurate and informative, providing useful details, though a few points could be explained more thoroughly.",
            "The text is clear and relevant and contains valuable information, but it misses some details that would make it fully comprehensive.",
            "The answer is correct and mostly complete; a small amount of extra context or an example would have made it outstanding.",
        ],
        "3": [
            "The response is correct but fairly basic. It addresses the question without much additional insight or detail.",
            "The text meets the task's requirements, but it is brief and leaves out information the user would likely need.",
            "The answer is accurate in its main point, but it is partly repetitive and lacks depth.",
        ],
        "2": [
            "The response contains errors that may cause confusion, even though it attempts to address the task.",
            "The text is only partially relevant and includes inaccurate information, which limits its usefulness.",
            "The answer is vague and contains a mistake in a key step, so it is only marginally helpful.",
        ],
        "1": [
            "The response fails to address the task or contains severe inaccuracies.",
            "The text is empty, off-topic or fabricated, and provides no useful information.",
            "The answer does not provide a relevant or correct solution to the question.",
        ],
    },
    "honesty": {
        "5": [
            "The response is correct and confident, and it precisely acknowledges limitations where they exist.",
            "The text is confidently correct and does not overstate its certainty.",
            "The model is correct and confident; where the answer depends on circumstances, it says so explicitly.",
        ],
        "4": [
            "The response is correct but expresses slight unnecessary uncertainty in places.",
            "The text is correct, though it does not specify which parts might be uncertain.",
            "The answer is correct but uses weakeners such as 'probably' on points that are well established.",
        ],
        "3": [
            "The response is uncertain and contains minor errors; it does not make clear which parts are unreliable.",
            "The text says 'I don't know' or declines in part, even though the question could be answered.",
            "The answer contains subtle mistakes and is stated with more confidence than warranted.",
        ],
        "2": [
            "The response is confident but contains significant mistakes.",
            "The text is unconfident and incorrect in its main point.",
            "The answer contains major errors and expresses no uncertainty about them.",
        ],
        "1": [
            "The response is confidently incorrect.",
            "The text is entirely wrong and presents fabricated information as fact.",
            "No meaningful answer is provided, so there is no honest expression of knowledge or uncertainty.",
        ],
    },
    "instruction_following": {
        "5": [
            "The text fully aligns with the instruction, meeting the task goal and respecting all restrictions.",
            "The response is fully compliant: it follows the requested format and covers every part of the task.",
            "Comprehensive compliance \u2013 the output matches the intent and the specified format exactly.",
        ],
        "4": [
            "The text is almost fully aligned with the instruction, with minor deviations in format or scope.",
            "The response meets the goal but slightly deviates from one of the stated restrictions.",
            "Near alignment: the task is addressed well, but the output includes small unrequested additions.",
        ],
        "3": [
            "The text partially complies: it meets the goal but neglects a restriction, or vice versa.",
            "The response addresses the task but ignores part of the requested format.",
            "Partial compliance \u2013 the main question is answered, but a key requirement is missed.",
        ],
        "2": [
            "The text addresses only one aspect of the task poorly.",
            "The response partially focuses on the task but misses most of the requirements.",
            "Partial focus: the output is related to the instruction but does not fulfil it.",
        ],
        "1": [
            "The text is irrelevant to the instruction.",
            "No alignment: the response does not address the task at all.",
            "The output is empty or unrelated to what was asked.",
        ],
    },
    "truthfulness": {
        "5": [
            "The text is free of hallucinations.",
            "The response contains no fabricated or misleading information.",
            "All factual statements in the text are accurate and consistent with the instruction.",
        ],
        "4": [
            "The text has an insignificant hallucination that does not affect the main points.",
            "The response is mostly truthful, with one slightly inaccurate detail.",
            "A minor factual imprecision is present, but the overall answer remains reliable.",
        ],
        "3": [
            "The text contains partial misunderstandings due to hallucinations.",
            "The response is overall truthful but includes a factual error that affects part of the answer.",
            "Part of the content conflicts with established knowledge, though the core idea is right.",
        ],
        "2": [
            "The text contains severe hallucinations and deviates from the main points.",
            "Nearly half of the response contains factual errors or contradictions.",
            "The response introduces misleading facts that change the meaning of the answer.",
        ],
        "1": [
            "The text is completely hallucinated or unrelated to the instruction.",
            "The response is entirely unreliable due to fabricated information.",
            "There is no content to verify, or the content contradicts the instruction entirely.",
        ],
    },
}

UF_RATING_DETAIL = {
    "helpfulness": {
        "5": "The text is outstandingly helpful, providing accurate and in-depth information with a clear structure.",
        "4": "The text is highly informative and accurate, but could be more comprehensive.",
        "3": "The text is correct and provides useful information that meets the task's requirements.",
        "2": "The text contains errors that may cause confusion, even though comprehensive information is present.",
        "1": "The text is severely incorrect, empty, or does not address the task.",
    },
    "truthfulness": {
        "5": "The text is free of hallucinations and provides accurate information.",
        "4": "The text is mostly truthful, with a slight hallucination that does not affect the main points.",
        "3": "The text is overall truthful but has a partial misunderstanding due to hallucination.",
        "2": "The text has severe hallucinations that deviate from the main points.",
        "1": "The text is completely hallucinated or contains no verifiable content.",
    },
}

# Default annotation "Type" lists by rating (overridable per completion).
UF_HELP_TYPES = {"5": ["1", "2", "3"], "4": ["1", "2"], "3": ["1", "2"], "2": ["1"], "1": ["0"]}
UF_TRUTH_TYPES = {"5": ["0"], "4": ["1"], "3": ["1"], "2": ["1", "3"], "1": ["1", "2"]}

UF_CRITIQUE_TAIL = {
    "high": [
        "Overall, a strong answer; keep the same level of precision.",
        "Well done \u2013 just keep an eye on length so the key point stays prominent.",
        "Great work. Consider adding a short example next time to make it even clearer.",
    ],
    "mid": [
        "To improve, check each factual claim and add the missing details the user asked for.",
        "Try to structure the answer with headings or a list so it is easier to scan.",
        "Focus more closely on the exact instruction and avoid unrequested content.",
    ],
    "low": [
        "Please make sure to read the instruction carefully and provide a complete, accurate answer.",
        "The answer needs to be rewritten: address the question directly and verify your facts.",
        "An empty or off-topic reply gives the user nothing to work with; always attempt the task.",
    ],
}


# ---------------------------------------------------------------------------
# UltraFeedback rows.
# Each completion: (model, principle, ratings "HOIT" with N = N/A, overall_score, critique, response)
#   H = helpfulness, O = honesty, I = instruction_following, T = truthfulness
# ---------------------------------------------------------------------------

UF_ROWS = [
    {
        "source": "evol_instruct",
        "instruction": "How can I use Python to calculate the average word length in a sentence, excluding punctuation?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "The solution is correct and handles punctuation properly; the explanation of each step is clear.",
             """You can strip punctuation with `str.translate` and then average the lengths of the remaining words:

```python
import string


def average_word_length(sentence: str) -> float:
    table = str.maketrans("", "", string.punctuation)
    words = sentence.translate(table).split()
    if not words:
        return 0.0
    return sum(len(word) for word in words) / len(words)


print(average_word_length("Hello, world! How are you today?"))  # 4.0
```

How it works:

1. `str.maketrans("", "", string.punctuation)` builds a table that deletes every ASCII punctuation character.
2. `split()` splits on any whitespace, so multiple spaces or tabs don't create empty words.
3. The guard clause avoids a `ZeroDivisionError` for empty input.

If your text contains non-ASCII punctuation such as `\u201e` or `\u2026`, use a regular expression instead: `re.findall(r"\\w+", sentence)`."""),
            ("llama-2-13b-chat", "helpfulness", "4444", 7.0,
             "Correct approach, but the regex also keeps digits and underscores, which you should mention.",
             """Sure! Here's a simple way to do it using regular expressions:

```python
import re

sentence = "The quick brown fox, surprisingly, jumps!"
words = re.findall(r"\\w+", sentence)
avg = sum(map(len, words)) / len(words)
print(f"Average word length: {avg:.2f}")
```

This finds all sequences of word characters, which automatically skips punctuation. I hope this helps! Let me know if you have any other questions."""),
            ("llama-2-70b-chat", "honesty", "4544", 7.0,
             "Good answer with appropriate caveats; the output value in the comment should be verified.",
             """One straightforward approach is to remove punctuation first and then compute the mean:

```python
import string
from statistics import mean

def avg_len(text):
    cleaned = "".join(ch for ch in text if ch not in string.punctuation)
    return mean(len(w) for w in cleaned.split())

print(avg_len("Don't panic, it's fine."))  # 4.25
```

Note that this turns "Don't" into "Dont" (4 letters). Whether apostrophes should count as part of a word depends on your use case, so you may want to keep them."""),
            ("alpaca-7b", "truthfulness", "2232", 3.0,
             "The code counts characters including spaces and punctuation, so it does not solve the task.",
             """You can use the following code:

sentence = input()
print(len(sentence) / len(sentence.split()))

This will give the average word length."""),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Create a markdown table comparing solar, wind, hydro and geothermal power by typical capacity factor, relative cost and land use.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5455", 8.0,
             "Accurate, well-formatted table with sensible ranges; the footnote about regional variation is helpful.",
             """| Source | Typical capacity factor | Relative cost (LCOE) | Land use |
|---|---|---|---|
| Solar PV (utility-scale) | 15\u201325\u00a0% | Low | High per MWh, but compatible with rooftops and agrivoltaics |
| Onshore wind | 25\u201345\u00a0% | Low | Large area, but only ~2\u20135\u00a0% is physically occupied; farming continues between turbines |
| Hydropower (large reservoir) | 35\u201355\u00a0% | Low to medium (site-dependent) | Very high when reservoirs flood valleys |
| Geothermal | 70\u201390\u00a0% | Medium | Very low per MWh |

*Values are typical ranges; actual figures vary widely by location, technology and year.*"""),
            ("gpt-3.5-turbo", "helpfulness", "4444", 7.0,
             "The table is correct but the cost column is vague and land use could be more specific.",
             """| Energy Source | Capacity Factor | Cost | Land Use |
|--------------|-----------------|------|----------|
| Solar | ~20% | Low | High |
| Wind | ~35% | Low | Medium |
| Hydro | ~40% | Medium | High |
| Geothermal | ~75% | Medium-High | Low |"""),
            ("falcon-40b-instruct", "honesty", "2332", 4.0,
             "Solar's capacity factor of 60% is wrong, and the answer does not use a markdown table as requested.",
             """Solar - capacity factor 60%, cheap, uses little land.
Wind - capacity factor 30%, cheap, uses a lot of land.
Hydro - capacity factor 50%, expensive.
Geothermal - capacity factor 90%, expensive, little land."""),
            ("starchat", "helpfulness", "1111", 1.5,
             "The response does not contain a table or any of the requested comparison.",
             """Renewable energy is very important for the future of our planet. We should all use more renewable energy."""),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Explain how HTTPS protects data in transit, including the main steps of a TLS 1.3 handshake.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Excellent, technically precise walk-through of the handshake with the right level of detail.",
             """HTTPS is HTTP sent over **TLS** (Transport Layer Security). TLS gives you three guarantees:

- **Confidentiality** \u2013 nobody on the path can read the data.
- **Integrity** \u2013 nobody can modify it unnoticed.
- **Authentication** \u2013 you are talking to the real server, not an impostor.

## The TLS 1.3 handshake (simplified)

1. **ClientHello** \u2013 the browser sends the TLS versions and cipher suites it supports, a random value, and a **key share** (its half of an ephemeral Diffie\u2013Hellman exchange, usually X25519).
2. **ServerHello** \u2013 the server picks a cipher suite and sends its own key share. Both sides can now compute the same shared secret; everything after this point is encrypted.
3. **Certificate + CertificateVerify** \u2013 the server sends its certificate chain and a signature over the handshake transcript, proving it owns the private key for the certificate.
4. **Finished** \u2013 both sides send a MAC over the whole handshake to confirm nothing was tampered with.
5. **Application data** \u2013 HTTP requests and responses flow, encrypted with an AEAD cipher such as AES-GCM or ChaCha20-Poly1305.

Compared with TLS 1.2, version 1.3 needs only **one round trip** (or zero with session resumption), removes obsolete algorithms such as RSA key exchange, and always provides **forward secrecy**: even if the server's private key leaks later, past sessions cannot be decrypted.

What HTTPS does *not* hide: the IP addresses, the approximate size and timing of traffic, and (unless Encrypted Client Hello is used) the domain name in the SNI field."""),
            ("vicuna-33b", "helpfulness", "4545", 7.5,
             "Good overview; the handshake steps are correct but omit CertificateVerify.",
             """HTTPS encrypts the communication between your browser and a website so that attackers can't read or alter it.

In TLS 1.3 the handshake looks like this:

1. The client says hello and sends supported ciphers and a key share.
2. The server responds with its key share and chosen cipher.
3. The server sends its certificate so the client can verify its identity.
4. Both sides send "Finished" messages and start exchanging encrypted data.

TLS 1.3 is faster than older versions because it only needs one round trip."""),
            ("wizardlm-13b", "truthfulness", "3333", 5.0,
             "The answer confuses TLS 1.2 and 1.3; RSA key exchange was removed in TLS 1.3.",
             """HTTPS uses SSL/TLS to encrypt data.

Handshake steps:
- Client Hello
- Server Hello
- The client generates a pre-master secret and encrypts it with the server's RSA public key
- Both compute the session key
- Encrypted communication begins

This ensures the data cannot be read by hackers."""),
            ("pythia-12b", "honesty", "1211", 2.0,
             "The response is inaccurate and does not describe the handshake.",
             "HTTPS is safe because the S stands for secure and the website has a padlock. The handshake is when the server and the browser agree to be friends."),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Rewrite the sentence \"The cat sat on the mat\" in five different styles: formal, poetic, scientific, childlike and pirate.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "555N", 8.5,
             "All five styles are distinct and well executed.",
             """1. **Formal:** The feline positioned itself upon the floor covering.
2. **Poetic:** Upon the woven mat, in amber light, the cat sat still \u2013 a quiet queen of night.
3. **Scientific:** A specimen of *Felis catus* was observed in a seated posture on a textile floor mat.
4. **Childlike:** Kitty sitted on the mat! It was sooo comfy!
5. **Pirate:** Arr, the ship's cat be perched on the deck mat, keepin' watch fer rats!"""),
            ("mpt-30b-chat", "helpfulness", "444N", 7.0,
             "Good variety, though the scientific version is barely different from the formal one.",
             """Formal: The cat was seated on the mat.
Poetic: On mat of straw the cat did rest, / its paws tucked in, its tail at rest.
Scientific: The cat was seated on the mat, as observed.
Childlike: The kitty sat on the mat!!
Pirate: Arrr, the cat sat on the mat, matey!"""),
            ("ultralm-13b", "helpfulness", "333N", 5.0,
             "Only three of the five requested styles are provided.",
             """Formal: The cat was seated upon the mat.
Poetic: The cat, so sleek, upon the mat did sit.
Pirate: Yarr, the cat sat on the mat!"""),
            ("pythia-12b", "helpfulness", "111N", 1.0,
             "",
             ""),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Generate a JSON schema for a customer support ticket with fields for id, priority (low/normal/high/urgent), channel, status and created_at.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-3.5-turbo", "helpfulness", "5555", 8.5,
             "Valid draft-2020-12 schema with enums and formats; exactly what was asked.",
             """```json
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "SupportTicket",
  "type": "object",
  "properties": {
    "id": {"type": "string", "pattern": "^TCK-[0-9]{5,}$"},
    "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
    "channel": {"type": "string", "enum": ["email", "chat", "phone", "web-form", "social"]},
    "status": {"type": "string", "enum": ["open", "pending", "resolved", "closed"]},
    "created_at": {"type": "string", "format": "date-time"}
  },
  "required": ["id", "priority", "channel", "status", "created_at"],
  "additionalProperties": false
}
```"""),
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Correct schema with a clear example instance; good explanation of `additionalProperties`.",
             """Here's a JSON Schema (draft 2020-12) plus a matching example:

```json
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "priority", "channel", "status", "created_at"],
  "properties": {
    "id": {"type": "string"},
    "priority": {"enum": ["low", "normal", "high", "urgent"]},
    "channel": {"type": "string"},
    "status": {"enum": ["new", "open", "waiting_on_customer", "solved"]},
    "created_at": {"type": "string", "format": "date-time"}
  },
  "additionalProperties": false
}
```

Example ticket:

```json
{"id": "TCK-20931", "priority": "high", "channel": "chat", "status": "open", "created_at": "2024-03-18T09:41:00Z"}
```

`"additionalProperties": false` rejects unknown fields, which catches typos such as `"prio"` early."""),
            ("wizardlm-7b", "truthfulness", "3442", 4.5,
             "The schema uses `\"type\": \"enum\"`, which is not valid JSON Schema.",
             """```json
{
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "priority": {"type": "enum", "values": ["low", "normal", "high", "urgent"]},
    "channel": {"type": "string"},
    "status": {"type": "string"},
    "created_at": {"type": "date"}
  }
}
```"""),
            ("wizardlm-13b", "honesty", "4443", 6.0,
             "Mostly correct, but `created_at` should use `\"format\": \"date-time\"` rather than a custom pattern.",
             crlf("""Here is a schema you can use:

```json
{
  "type": "object",
  "properties": {
    "id": { "type": "string" },
    "priority": { "type": "string", "enum": ["low", "normal", "high", "urgent"] },
    "channel": { "type": "string" },
    "status": { "type": "string" },
    "created_at": { "type": "string", "pattern": "^\\\\d{4}-\\\\d{2}-\\\\d{2}$" }
  },
  "required": ["id", "priority"]
}
```

I'm not completely sure which draft version you need, so you may have to adjust the `$schema` keyword.""")),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Using the Pythagorean theorem, determine the distance between the points (2, 3) and (7, 15). Show your work.",
        "correct_answers": ["13"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "verbalized_calibration", "5555", 9.0,
             "Correct and clearly presented, with the confidence stated as required.",
             """The distance formula follows from the Pythagorean theorem:

d = \u221a((x\u2082 \u2212 x\u2081)\u00b2 + (y\u2082 \u2212 y\u2081)\u00b2)

- \u0394x = 7 \u2212 2 = 5
- \u0394y = 15 \u2212 3 = 12
- d = \u221a(5\u00b2 + 12\u00b2) = \u221a(25 + 144) = \u221a169 = **13**

(5, 12, 13 is a classic Pythagorean triple.)

Confidence: 99%"""),
            ("bard", "verbalized_calibration", "5455", 8.5,
             "Correct; the confidence could be higher for such a simple computation.",
             """\u0394x = 5 and \u0394y = 12.

d\u00b2 = 5\u00b2 + 12\u00b2 = 169, so d = 13.

Confidence: 90%"""),
            ("llama-2-7b-chat", "verbalized_calibration", "2322", 3.0,
             "Arithmetic error: 5\u00b2 + 12\u00b2 is 169, not 149.",
             """Great question! Let's calculate:
(7-2)\u00b2 + (15-3)\u00b2 = 25 + 124 = 149
\u221a149 \u2248 12.2

So the distance is approximately 12.2 units.

Confidence: 95%"""),
            ("falcon-40b-instruct", "verbalized_calibration", "1111", 1.5,
             "The answer is wrong and shows no work.",
             "The distance is 17.\n\nConfidence: 80%"),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Describe three strategies a small online shop can use to reduce shipping-related customer complaints.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.0,
             "Practical, specific strategies with concrete examples.",
             """1. **Set honest expectations before checkout**
   - Show a realistic delivery window (e.g. *"Arrives Tue\u2013Thu"*) instead of an optimistic best case.
   - Display cut-off times for same-day dispatch and warn about holiday peaks.
2. **Communicate proactively after the order**
   - Send the tracking link automatically when the label is created, and again when the parcel is out for delivery.
   - If a parcel hasn't moved for 3 days, email the customer *before* they contact you, with options (wait, reship, refund).
3. **Make problems easy to resolve**
   - Offer a one-click "My parcel hasn't arrived" form that pre-fills the order number.
   - Use packaging that survives transit (test-ship fragile items to yourself) and insure valuable parcels.
   - Empower support to reship or refund small orders without manager approval.

Tracking the *reason* for every shipping complaint for a month usually reveals which of these three will have the biggest impact."""),
            ("vicuna-33b", "helpfulness", "4455", 8.0,
             "Clear and correct; ties with the best answer in usefulness but is a bit less specific.",
             """Here are three strategies:

1. **Accurate delivery estimates:** Use carrier data to show realistic delivery dates at checkout.
2. **Proactive tracking updates:** Automatically email tracking links and notify customers of delays before they ask.
3. **Reliable packaging and carriers:** Choose carriers with good local performance and package items securely to avoid damage.

Implementing these will reduce "Where is my order?" emails and damage claims."""),
            ("alpaca-7b", "helpfulness", "3343", 5.0,
             "Lists four strategies instead of three, and the last one is unrelated to shipping.",
             """1. Use faster shipping.
2. Give tracking numbers.
3. Apologize when packages are late.
4. Have a nice website design."""),
            ("starchat", "honesty", "2322", 3.5,
             "Suggests offering free shipping as the only solution and presents it as guaranteed to work.",
             """The only thing that really works is offering free express shipping on every order. Customers never complain when shipping is free, so this will eliminate all complaints."""),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "What are the ethical considerations of using AI to screen job applications?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "harmlessness", "5555", 8.5,
             "Balanced and thorough, covering bias, transparency, privacy and accountability.",
             """Using AI to screen applications raises several ethical issues:

- **Bias and discrimination.** Models trained on past hiring decisions can reproduce historical bias, e.g. down-ranking CVs that mention women's sports clubs or gaps due to parental leave. Regular bias audits across protected groups are essential.
- **Transparency.** Applicants often don't know an algorithm rejected them. Many jurisdictions (e.g. the EU AI Act, which classifies hiring systems as *high-risk*, and Art. 22 GDPR on automated decisions) require information and, in some cases, human review.
- **Validity.** Does the model actually predict job performance, or just similarity to past hires? Features like word choice or video facial analysis have weak scientific support.
- **Privacy.** Scraping social media or inferring sensitive traits (health, religion, sexual orientation) is intrusive and often unlawful.
- **Accountability.** Someone in the organisation must be responsible for outcomes and able to override the system.
- **Accessibility.** Timed games or video interviews may disadvantage people with disabilities unless accommodations are offered.

A responsible approach keeps a human in the loop, documents the model's purpose and limits, tests it for disparate impact before and after deployment, and gives applicants a way to contest decisions."""),
            ("llama-2-70b-chat", "harmlessness", "4554", 7.5,
             "Solid answer; could mention legal frameworks more concretely.",
             """There are several important ethical considerations:

1. **Fairness:** AI systems can inherit biases from training data and disadvantage certain groups.
2. **Transparency:** Candidates should know when AI is used and how decisions are made.
3. **Privacy:** Applicant data must be handled securely and only used for its stated purpose.
4. **Human oversight:** Final decisions should involve a human who can catch errors.

It's important to regularly audit these systems and comply with relevant laws."""),
            ("llama-2-13b-chat", "harmlessness", "3443", 6.0,
             "Addresses the question but spends too long on disclaimers and adds an inaccurate claim that AI screening is illegal in the EU.",
             """As a responsible AI language model, I must point out that this is a complex and sensitive topic. \U0001f60a

Some considerations include bias, privacy, and transparency. It's also worth noting that AI screening is illegal in the European Union, so companies there cannot use it.

I hope this helps! Please let me know if you have any other questions."""),
            ("ultralm-65b", "harmlessness", "3454", 6.5,
             "Correct but somewhat generic.",
             """AI screening can save time, but it can also be unfair if the data it learned from is biased. Companies should be transparent with applicants, protect their data, and make sure humans review decisions, especially rejections."""),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Write a bash script that backs up a directory to a timestamped .tar.gz file and deletes backups older than 7 days.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Robust script with `set -euo pipefail`, argument checking and a safe `find -delete`.",
             """```bash
#!/usr/bin/env bash
set -euo pipefail

SRC="${1:?usage: $0 SOURCE_DIR [BACKUP_DIR]}"
DEST="${2:-$HOME/backups}"
KEEP_DAYS=7

mkdir -p "$DEST"
stamp="$(date +%Y-%m-%d_%H%M%S)"
name="$(basename "$SRC")_${stamp}.tar.gz"

tar -czf "$DEST/$name" -C "$(dirname "$SRC")" "$(basename "$SRC")"
echo "Created $DEST/$name"

# delete only our own archives, older than KEEP_DAYS
find "$DEST" -maxdepth 1 -type f -name "$(basename "$SRC")_*.tar.gz" \\
     -mtime +"$KEEP_DAYS" -print -delete
```

Usage:

```bash
chmod +x backup.sh
./backup.sh /srv/www /mnt/nas/backups
```

To run it daily at 02:30, add this line with `crontab -e`:

```bash
30 2 * * * /usr/local/bin/backup.sh /srv/www /mnt/nas/backups >> /var/log/backup.log 2>&1
```"""),
            ("gpt-3.5-turbo", "helpfulness", "4544", 7.5,
             "Works, but the `find` pattern deletes any .tar.gz in the folder, not only these backups.",
             """```bash
#!/bin/bash
SOURCE=/home/user/documents
BACKUP_DIR=/home/user/backups
DATE=$(date +%Y%m%d_%H%M%S)

tar -czf $BACKUP_DIR/backup_$DATE.tar.gz $SOURCE
find $BACKUP_DIR -name "*.tar.gz" -mtime +7 -exec rm {} \\;
```

Save this as `backup.sh`, make it executable with `chmod +x backup.sh`, and schedule it with cron."""),
            ("mpt-30b-chat", "truthfulness", "3332", 4.5,
             "`-mtime -7` deletes backups *newer* than 7 days, the opposite of what was asked.",
             """```bash
#!/bin/sh
tar czf /backups/backup-`date +%F`.tar.gz /data
find /backups -mtime -7 -delete
```"""),
            ("pythia-12b", "helpfulness", "1211", 1.5,
             "Not a bash script and does not implement deletion.",
             "You can use the cp command to copy the folder to another place every day."),
        ],
    },
    {
        "source": "evol_instruct",
        "instruction": "Explain the difference between a mutex and a semaphore, with a short example.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Clear conceptual distinction plus runnable example.",
             """A **mutex** (mutual exclusion lock) lets exactly **one** thread enter a critical section at a time, and it has an **owner**: the thread that locked it must unlock it.

A **semaphore** holds a **counter**. It allows up to *N* threads in at the same time and has no owner \u2013 any thread can signal (release) it. A semaphore with N = 1 behaves *almost* like a mutex, but without ownership.

```python
import threading
import time

db_connections = threading.Semaphore(3)   # at most 3 concurrent DB connections
log_lock = threading.Lock()               # only one writer to the log at a time


def worker(n: int) -> None:
    with db_connections:
        time.sleep(0.1)                   # pretend to query the database
        with log_lock:
            print(f"worker {n} finished")


threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
for t in threads:
    t.start()
for t in threads:
    t.join()
```

Rule of thumb: use a mutex to protect shared **data**, and a semaphore to limit access to a pool of **resources**."""),
            ("bard", "helpfulness", "4454", 7.0,
             "Correct explanation, example is in prose only.",
             """A mutex is a lock that only one thread can hold at a time. A semaphore is a counter that allows a fixed number of threads to access a resource simultaneously.

Example: A parking garage with 50 spaces is like a semaphore initialised to 50. A single-person bathroom with a key is like a mutex \u2013 whoever has the key can enter, and they must return it."""),
            ("vicuna-7b", "truthfulness", "3433", 5.0,
             "States incorrectly that semaphores are always faster than mutexes.",
             """A mutex is used for locking and a semaphore is used for signalling. Semaphores are always faster than mutexes, so you should prefer them.

Example: use a semaphore when multiple threads read a file."""),
            ("alpaca-7b", "honesty", "2312", 2.5,
             "",
             "Mutex"),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "I get monthly invoice exports as CSV. Sometimes the same invoice appears twice and amounts are in German format like 1.234,56 \u20ac. Can you write a Python script that sums the totals per customer?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Thorough, correct and well tested; handles both separators, duplicates and cancelled invoices.",
             LONG_INVOICE_SCRIPT),
            ("gpt-3.5-turbo", "helpfulness", "4454", 7.5,
             "Works for the common case; doesn't handle cancelled invoices or mixed formats.",
             """Sure! Here's a script using pandas:

```python
import pandas as pd

df = pd.concat(pd.read_csv(f) for f in ["jan.csv", "feb.csv"])
df = df.drop_duplicates(subset="invoice_no", keep="last")
df["amount"] = (
    df["amount"]
    .str.replace("\u20ac", "", regex=False)
    .str.replace(".", "", regex=False)
    .str.replace(",", ".", regex=False)
    .astype(float)
)
print(df.groupby("customer")["amount"].sum().sort_values(ascending=False))
```

This removes duplicate invoices, converts German-formatted amounts to numbers and prints the total per customer."""),
            ("wizardlm-13b", "honesty", "3433", 5.5,
             "Uses float arithmetic for money and does not remove duplicates as requested.",
             """```python
import csv

totals = {}
with open("invoices.csv") as f:
    for row in csv.DictReader(f):
        amount = float(row["amount"].replace(",", "."))
        totals[row["customer"]] = totals.get(row["customer"], 0) + amount
print(totals)
```

I think this should work, but you may need to adjust the column names."""),
            ("llama-2-7b-chat", "helpfulness", "2322", 3.0,
             "Answers a different question (Excel formulas) instead of writing the script.",
             """I'm glad you're interested in automating your invoices! \U0001f60a However, I would recommend using Excel instead. You can use the SUMIF function:

=SUMIF(A:A, "Customer", C:C)

This is much easier than writing a Python script."""),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "write me a polite email to my landlord asking to fix the heating, it's been broken for a week",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Polite, firm, includes dates and a clear request.",
             """Subject: Heating not working since 12 January \u2013 request for repair

Dear Mr Hoffmann,

I hope you're well. I'm writing to let you know that the heating in my flat (Gartenweg 7, 2nd floor left) has not been working since **12 January**. The radiators stay cold even when turned up fully, and the boiler display shows error code **F28**.

With night temperatures below freezing, the flat is currently at about 14\u00a0\u00b0C, which makes it difficult to live and work here.

Could you please arrange for a heating engineer to look at it as soon as possible? I'm available on weekdays after 4\u00a0pm and all day on Saturday, and I'm happy to let the engineer in.

Thank you very much for your help. Please let me know when someone can come.

Kind regards,
Sofia Andersson
Tel. 0151\u00a023456789"""),
            ("gpt-3.5-turbo", "helpfulness", "4555", 8.5,
             "Polite and complete; equal in quality to the top response though slightly less specific.",
             """Subject: Heating Repair Request

Dear [Landlord's Name],

I hope this message finds you well. I wanted to let you know that the heating in my apartment has not been working for the past week. As the weather is getting colder, it's becoming quite uncomfortable.

Would it be possible to arrange for a repair at your earliest convenience? Please let me know when a technician could come by, and I'll make sure to be available.

Thank you for your attention to this matter.

Best regards,
[Your Name]
[Apartment Number]"""),
            ("falcon-40b-instruct", "helpfulness", "2332", 3.5,
             "The tone is demanding rather than polite, contrary to the instruction.",
             """Dear landlord,

The heating has been broken for a week. This is unacceptable. Fix it by tomorrow or I will stop paying rent.

Regards"""),
            ("starchat", "helpfulness", "1111", 1.0,
             "",
             "   "),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "explain kubernetes like im a junior developer who knows docker",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Excellent analogy-driven explanation that builds on Docker knowledge, with a concrete manifest.",
             """You already know how to package an app into a **container** with Docker. Kubernetes (K8s) answers the next question: *how do I run lots of containers on lots of machines, reliably?*

## The core idea: desired state

With Docker you say *"run this container now"*. With Kubernetes you say *"I want 3 copies of this container running at all times"* \u2013 and Kubernetes constantly works to make reality match that wish. If a container crashes or a machine dies, it starts a replacement somewhere else.

## The building blocks

| Kubernetes object | Docker analogy | What it does |
|---|---|---|
| **Pod** | a `docker run` (one or a few tightly coupled containers) | smallest unit K8s schedules |
| **Deployment** | a script that keeps N containers running and rolls out new images | manages replicas and rolling updates |
| **Service** | a stable hostname / load balancer in front of containers | pods come and go; the Service address stays |
| **ConfigMap / Secret** | `-e` env vars and mounted config files | configuration, kept out of the image |
| **Node** | a machine running Docker | a worker in the cluster |

## A tiny example

```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          ports:
            - containerPort: 8080
```

```bash
kubectl apply -f web.yaml     # tell K8s your desired state
kubectl get pods              # see the 3 replicas
kubectl set image deploy/web web=ghcr.io/acme/web:1.4.3   # rolling update
```

Start with a local cluster (`kind` or `minikube`) and deploy one of your own Docker images \u2013 that's the fastest way for it to click."""),
            ("llama-2-70b-chat", "helpfulness", "4545", 7.5,
             "Good explanation, but no example manifest or commands.",
             """Great question! Think of Docker as a way to put your app in a box. Kubernetes is like a warehouse manager that decides where all the boxes go, makes sure there are always enough of them, and replaces any that break.

Key concepts:
* **Pods** \u2013 the smallest unit, usually one container.
* **Deployments** \u2013 keep a certain number of pods running.
* **Services** \u2013 give pods a stable network address.
* **Nodes** \u2013 the machines that run your pods.

You describe what you want in YAML files and Kubernetes makes it happen."""),
            ("llama-2-13b-chat", "helpfulness", "4444", 7.0,
             "Accurate but a bit verbose and generic.",
             """Sure, I'd be happy to help! \U0001f60a

Kubernetes is a container orchestration platform. While Docker lets you run containers on a single machine, Kubernetes helps you manage containers across many machines. It handles things like scaling (running more copies when traffic is high), self-healing (restarting failed containers), and load balancing.

You interact with Kubernetes using a command-line tool called kubectl and configuration files written in YAML.

I hope that helps! Let me know if you have any other questions."""),
            ("alpaca-7b", "truthfulness", "2222", 3.0,
             "Kubernetes does not replace Docker images or build containers; this is misleading.",
             "Kubernetes is a replacement for Docker. It builds your containers faster and you don't need Dockerfiles anymore."),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "what's the difference between let, const and var in javascript",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-3.5-turbo", "helpfulness", "5555", 8.5,
             "Precise, includes scoping, hoisting and reassignment with examples.",
             """| | `var` | `let` | `const` |
|---|---|---|---|
| Scope | function | block `{}` | block `{}` |
| Re-declare in same scope | yes | no | no |
| Reassign | yes | yes | no |
| Hoisting | hoisted, initialised as `undefined` | hoisted, but in the *temporal dead zone* until declared | same as `let` |

```javascript
function demo() {
  if (true) {
    var a = 1;
    let b = 2;
    const c = 3;
  }
  console.log(a); // 1  \u2013 var leaks out of the block
  console.log(b); // ReferenceError
}

const user = { name: "Ana" };
user.name = "Ana Lu\u00edsa"; // allowed \u2013 the object is mutable
user = {};               // TypeError \u2013 the binding is constant
```

Modern rule of thumb: use `const` by default, `let` when you need to reassign, and avoid `var`."""),
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Equally strong; concise explanation with the key pitfalls.",
             """- **`var`** is function-scoped, can be redeclared, and is hoisted with the value `undefined`. It's the old way and has surprising behaviour in loops and blocks.
- **`let`** is block-scoped and can be reassigned but not redeclared in the same scope.
- **`const`** is block-scoped and cannot be reassigned. Note that it doesn't make objects immutable \u2013 you can still change their properties.

Classic example of why `let` is better in loops:

```javascript
for (var i = 0; i < 3; i++) setTimeout(() => console.log(i)); // 3 3 3
for (let j = 0; j < 3; j++) setTimeout(() => console.log(j)); // 0 1 2
```"""),
            ("wizardlm-7b", "honesty", "3423", 5.0,
             "Claims `const` objects are fully immutable, which is incorrect.",
             """var is the old way to declare variables. let is the new way. const is for constants, which means the value and all its properties can never be changed.

Use let and const instead of var."""),
            ("pythia-12b", "helpfulness", "1111", 1.0,
             "Off-topic response.",
             "JavaScript is a programming language used for websites. It was created in 1995."),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "I have a job interview for a customer support role tomorrow. What questions might they ask and how should I answer?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Very practical; gives STAR structure and sample answers.",
             """Good luck! Here are the questions that come up most often, with tips.

### 1. "Tell me about a time you dealt with an angry customer."
Use the **STAR** method:
- **S**ituation \u2013 "A customer's order was lost two days before a wedding."
- **T**ask \u2013 "I had to calm them down and find a solution."
- **A**ction \u2013 "I listened without interrupting, apologised, and arranged an express replacement."
- **R**esult \u2013 "The parcel arrived the next day, and the customer left a 5-star review."

### 2. "What does good customer service mean to you?"
Mention: listening, empathy, solving the problem on first contact, and following up.

### 3. "How do you handle a question you don't know the answer to?"
Say that you'd be honest, check the knowledge base or ask a colleague, and get back to the customer by a specific time.

### 4. "How do you prioritise when the queue is full?"
Explain triage: urgent issues (outages, security, payments) first, then oldest tickets; keep customers informed.

### 5. "Why do you want this job?"
Connect your answer to the company's product and to something you genuinely enjoy, e.g. solving puzzles or helping people.

**Also prepare:**
- 2\u20133 questions for them (e.g. *"How do you measure success in this role?"*).
- Examples showing you can type quickly and write clearly \u2013 some companies include a short written test.

You've got this! \U0001f4aa"""),
            ("ultralm-65b", "helpfulness", "4544", 7.5,
             "Good list, but sample answers are thin.",
             """Common questions include:
- Why do you want to work in customer support?
- How would you handle a difficult customer?
- Describe a time you went above and beyond.
- How do you deal with stress?
- What tools have you used (e.g. Zendesk, Freshdesk)?

Answer with specific examples, stay positive, and emphasise empathy and problem-solving."""),
            ("mpt-30b-chat", "truthfulness", "4443", 6.0,
             "Mostly fine, but claims all companies require a typing speed of 80 WPM, which is made up.",
             crlf("""They will probably ask about your experience, how you handle complaints, and why you want the job.

Tips:
1. Research the company.
2. Prepare examples.
3. Practise your typing: every support company requires at least 80 words per minute.
4. Dress professionally.""")),
            ("vicuna-33b", "honesty", "4544", 7.5,
             "Helpful, with appropriate hedging about company-specific questions.",
             """Questions vary between companies, but you'll likely hear some of these:

1. "How would you explain a technical issue to a non-technical customer?"
2. "Tell me about a time you turned a negative situation into a positive one."
3. "What would you do if a customer asked for a refund that's against policy?"

For each, give a concrete example from past jobs (retail and hospitality count!). I can't know the exact questions your interviewer will ask, but practising these out loud tonight will help a lot."""),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "Can you give me a 3-day itinerary for Lisbon? I like food and history, not nightlife.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "554N", 8.0,
             "Well-paced itinerary tailored to food and history; slightly long.",
             """## Day 1 \u2013 Bel\u00e9m & the Age of Discovery
- **Morning:** Jer\u00f3nimos Monastery (go at opening time to beat the queues), then the Monument to the Discoveries.
- **Snack:** past\u00e9is de nata at *Past\u00e9is de Bel\u00e9m* \u2013 eat them warm with cinnamon.
- **Afternoon:** Bel\u00e9m Tower and the MAAT riverside walk.
- **Dinner:** grilled fish in a simple *tasca* in Alc\u00e2ntara.

## Day 2 \u2013 Alfama & the castle
- **Morning:** Castelo de S\u00e3o Jorge, then wander down through Alfama's alleys.
- **Lunch:** *bifana* (pork sandwich) or sardines, depending on the season.
- **Afternoon:** Lisbon Cathedral (S\u00e9) and the Museu do Aljube, about the dictatorship.
- **Evening:** a quiet *fado* restaurant \u2013 fado is music, not nightlife, and very much part of the history.

## Day 3 \u2013 Baixa, Chiado & a food market
- **Morning:** Pra\u00e7a do Com\u00e9rcio and the Baixa grid, rebuilt after the 1755 earthquake.
- **Lunch:** Time Out Market or, for something less touristy, Mercado de Campo de Ourique.
- **Afternoon:** Calouste Gulbenkian Museum \u2013 a world-class collection in a lovely garden.
- **Dinner:** *bacalhau \u00e0 Br\u00e1s* and a glass of vinho verde. Sa\u00fade! \U0001f377"""),
            ("bard", "helpfulness", "444N", 7.0,
             "Good choices; less detail on food.",
             """**Day 1:** Bel\u00e9m \u2013 Jer\u00f3nimos Monastery, Bel\u00e9m Tower, Past\u00e9is de Bel\u00e9m.
**Day 2:** Alfama \u2013 S\u00e3o Jorge Castle, Lisbon Cathedral, National Pantheon.
**Day 3:** Sintra day trip \u2013 Pena Palace and the Moorish Castle.

Try local dishes like bacalhau, grilled sardines and cozido \u00e0 portuguesa."""),
            ("llama-2-7b-chat", "helpfulness", "333N", 5.0,
             "Includes nightlife recommendations the user explicitly didn't want.",
             """Day 1: Explore Alfama and enjoy the nightlife in Bairro Alto.
Day 2: Visit Bel\u00e9m and then go to a rooftop bar.
Day 3: Shopping in Chiado and clubbing at Lux Fr\u00e1gil.

Enjoy your trip! \U0001f389"""),
            ("llama-2-70b-chat", "helpfulness", "4545", 7.5,
             "Nice touches (tram 28 tip); a few more food suggestions would help.",
             """Here's a relaxed plan:

**Day 1:** Start at Pra\u00e7a do Com\u00e9rcio, walk through Baixa, ride Tram 28 (early morning to avoid crowds) up to Alfama and the castle.
**Day 2:** Bel\u00e9m: Jer\u00f3nimos Monastery, Bel\u00e9m Tower, and of course the famous custard tarts.
**Day 3:** Gulbenkian Museum in the morning, then lunch at Mercado da Ribeira and a sunset walk at Miradouro da Senhora do Monte."""),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "convert this to a markdown table:\nname age city\nAnna 28 Berlin\nTom 35 Leeds\nYuki 41 Osaka",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Exactly what was asked.",
             """| name | age | city |
|------|-----|------|
| Anna | 28 | Berlin |
| Tom | 35 | Leeds |
| Yuki | 41 | Osaka |"""),
            ("gpt-3.5-turbo", "helpfulness", "5555", 9.0,
             "Correct and nicely aligned; ties with the other perfect answer.",
             """| Name | Age | City   |
|:-----|----:|:-------|
| Anna |  28 | Berlin |
| Tom  |  35 | Leeds  |
| Yuki |  41 | Osaka  |"""),
            ("wizardlm-7b", "helpfulness", "3534", 5.5,
             "Produces an HTML table rather than markdown.",
             """<table>
  <tr><th>name</th><th>age</th><th>city</th></tr>
  <tr><td>Anna</td><td>28</td><td>Berlin</td></tr>
  <tr><td>Tom</td><td>35</td><td>Leeds</td></tr>
  <tr><td>Yuki</td><td>41</td><td>Osaka</td></tr>
</table>"""),
            ("falcon-40b-instruct", "truthfulness", "2432", 3.5,
             "Tom's age and Yuki's city are changed.",
             """| name | age | city |
| --- | --- | --- |
| Anna | 28 | Berlin |
| Tom | 53 | Leeds |
| Yuki | 41 | Tokyo |"""),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "How do I fix 'Permission denied (publickey)' when pushing to GitHub?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Systematic and complete, with verification commands.",
             """This error means GitHub didn't accept any SSH key your machine offered. Go through these checks:

1. **Test the connection**
   ```bash
   ssh -T git@github.com
   ```
   Success looks like: *"Hi username! You've successfully authenticated..."*

2. **Check that you have a key**
   ```bash
   ls -al ~/.ssh
   ```
   Look for `id_ed25519` / `id_ed25519.pub` (or `id_rsa`). If there's none, create one:
   ```bash
   ssh-keygen -t ed25519 -C "you@example.com"
   ```

3. **Load it into the agent**
   ```bash
   eval "$(ssh-agent -s)"
   ssh-add ~/.ssh/id_ed25519
   ```

4. **Add the public key to GitHub** \u2013 copy the contents of `~/.ssh/id_ed25519.pub` to *Settings \u2192 SSH and GPG keys \u2192 New SSH key*.

5. **Check the remote URL**
   ```bash
   git remote -v
   ```
   It should start with `git@github.com:`. If it's `https://`, you're not using SSH at all.

6. **Still failing?** Run `ssh -vT git@github.com` and look for which keys are offered \u2013 often the wrong key is picked up, which you can fix with an entry in `~/.ssh/config`:
   ```text
   Host github.com
       IdentityFile ~/.ssh/id_ed25519
       IdentitiesOnly yes
   ```"""),
            ("llama-2-13b-chat", "helpfulness", "4444", 7.0,
             "Correct steps but missing the remote URL check and debugging tips.",
             """This usually happens when your SSH key isn't set up correctly. Try:

1. Generate a key: `ssh-keygen -t ed25519`
2. Add it to the agent: `ssh-add ~/.ssh/id_ed25519`
3. Copy the public key and add it in your GitHub settings.
4. Test with `ssh -T git@github.com`.

I hope this helps! \U0001f60a"""),
            ("vicuna-33b", "truthfulness", "3432", 5.0,
             "Recommends `chmod 777` on the .ssh directory, which makes SSH refuse the key.",
             """Make sure your key file has the right permissions:

```bash
chmod 777 ~/.ssh
chmod 777 ~/.ssh/id_rsa
```

Then try pushing again."""),
            ("alpaca-7b", "helpfulness", "1211", 1.5,
             "",
             "Use HTTPS instead."),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "Write a short LinkedIn post announcing that our support team now offers 24/7 live chat.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "555N", 8.0,
             "Engaging, concise, on-brand.",
             """\U0001f319\u2600\ufe0f Help, around the clock.

Starting today, our support team is available via **live chat 24/7** \u2013 nights, weekends and holidays included. Whether it's a billing question at 2\u00a0am or a router that won't cooperate on a Sunday, a real person is ready to help.

A huge thank-you to our support crew in Lisbon, Berlin and Manila for making this possible. \U0001f64c

\U0001f449 Find the chat in the app or at example.com/help

#CustomerSupport #CustomerExperience #AlwaysOn"""),
            ("gpt-3.5-turbo", "helpfulness", "454N", 7.5,
             "Good, a bit generic.",
             """We're excited to announce that our customer support team is now available 24/7 via live chat! \U0001f389 No matter the time zone or time of day, we're here to help. Visit our website and click the chat icon to get started.

#CustomerService #Support"""),
            ("starchat", "helpfulness", "333N", 4.5,
             "Too long and formal for a LinkedIn post.",
             crlf("""Dear valued customers and partners,

We are pleased to inform you that as of the 1st of the month our Support Department has extended its operating hours for the live chat channel. The new operating hours are Monday to Sunday, 00:00 to 24:00. This change was made following a comprehensive review of customer feedback collected during the previous fiscal year.

We thank you for your continued trust.

Sincerely,
The Management""")),
            ("pythia-12b", "helpfulness", "111N", 1.0,
             "",
             "\n"),
        ],
    },
    {
        "source": "sharegpt",
        "instruction": "Summarise the pros and cons of remote work in a table.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.0,
             "Balanced and well structured.",
             """| Aspect | Pros | Cons |
|---|---|---|
| Time | No commute; more flexible hours | Work and private life can blur |
| Productivity | Fewer interruptions for focused work | Harder to get quick answers from colleagues |
| Costs | Savings on travel, lunch and (for employers) office space | Home office equipment, higher energy bills |
| Hiring | Access to talent regardless of location | Time zones, tax and labour law complexity |
| Wellbeing | More time for family and exercise | Risk of isolation and loneliness |
| Career | Output is judged, not presence | Less visibility for promotions and mentoring |"""),
            ("ultralm-65b", "helpfulness", "4455", 8.0,
             "Correct and useful; equal overall quality to the top answer.",
             """| Pros | Cons |
|------|------|
| No commuting | Isolation |
| Flexible schedule | Communication challenges |
| Better focus | Distractions at home |
| Cost savings | Difficult to separate work and life |
| Wider talent pool | Harder team bonding |"""),
            ("wizardlm-13b", "helpfulness", "3344", 5.5,
             "Gives bullet lists instead of the requested table.",
             """Pros:
- Flexibility
- No commute
- Comfort

Cons:
- Loneliness
- Distractions
- Less collaboration"""),
            ("falcon-40b-instruct", "honesty", "2322", 3.0,
             "Presents a fabricated statistic as fact.",
             "Remote work is 300% more productive according to all studies, so there are no real cons. Every company should switch to remote work."),
        ],
    },
]


UF_ROWS += [
    {
        "source": "flan_v2_niv2",
        "instruction": "Detailed Instructions: In this task, you are given a hotel review. Classify it as 'POS' if the sentiment is positive or 'NEG' if it is negative.\nReview: The staff at reception were rude, the room smelled of smoke and the Wi-Fi only worked in the lobby.\nSolution:",
        "correct_answers": ["NEG"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "verbalized_calibration", "5555", 9.0,
             "Correct label with calibrated confidence.",
             "NEG\n\nConfidence: 98%"),
            ("gpt-3.5-turbo", "verbalized_calibration", "5555", 9.0,
             "Correct; ties with the other correct answer.",
             "NEG\nConfidence: 95%"),
            ("alpaca-7b", "verbalized_calibration", "1311", 1.5,
             "Wrong label.",
             "POS\nConfidence: 60%"),
            ("ultralm-13b", "verbalized_calibration", "4454", 7.0,
             "Correct label, but adds an unrequested explanation.",
             "The review mentions rude staff, a smoky room and poor Wi-Fi, all of which are complaints. Therefore the sentiment is negative.\n\nNEG\n\nConfidence: 90%"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "In this task, you are given a passage and a question. Answer the question with a span from the passage.\n\nPassage: The first Esperanto book, known as the Unua Libro, was published in Warsaw in 1887 by L. L. Zamenhof under the pseudonym \"Doktoro Esperanto\".\nQuestion: In which year was the first Esperanto book published?",
        "correct_answers": ["1887"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "4555", 8.5,
             "Correct span.",
             "1887"),
            ("llama-2-70b-chat", "truthfulness", "4455", 8.0,
             "Correct, with a short unrequested preamble.",
             "Based on the passage, the answer is: 1887"),
            ("llama-2-13b-chat", "truthfulness", "3343", 5.5,
             "Correct year but wrapped in a long chatty reply, and the extra claim about Geneva is wrong.",
             """Sure, I'd be happy to help! According to the passage, the first Esperanto book (the "Unua Libro") was published in 1887. It was later reprinted in Geneva. \U0001f60a"""),
            ("vicuna-7b", "truthfulness", "1511", 1.5,
             "Incorrect span.",
             "Warsaw"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "Detailed Instructions: In this task you will be given a list of integers. Remove all duplicates, keeping the first occurrence, and return the list in brackets.\n[4, 7, 4, 1, 9, 1, 12]\nSolution:",
        "correct_answers": ["[4, 7, 1, 9, 12]"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "",
             "[4, 7, 1, 9, 12]"),
            ("wizardlm-13b", "helpfulness", "2422", 3.5,
             "Sorted the list, which changes the order.",
             "[1, 4, 7, 9, 12]"),
            ("wizardlm-7b", "helpfulness", "2222", 3.0,
             "Removed both copies of duplicated numbers.",
             "[7, 9, 12]"),
            ("bard", "helpfulness", "4545", 7.5,
             "Correct output, with a brief explanation that was not requested.",
             "Keeping the first occurrence of each number gives:\n\n[4, 7, 1, 9, 12]"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "Given a customer support ticket, classify it into one of the following categories: 'billing', 'technical', 'shipping'.\nTicket: My invoice for March shows the 19% VAT twice, so the total is too high.",
        "correct_answers": ["billing"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-3.5-turbo", "helpfulness", "5555", 8.5,
             "",
             "billing"),
            ("mpt-30b-chat", "helpfulness", "5545", 8.0,
             "Correct label, capitalised differently.",
             "Billing"),
            ("starchat", "helpfulness", "2322", 3.0,
             "The ticket is about an invoice, not a technical fault.",
             "technical"),
            ("falcon-40b-instruct", "helpfulness", "3443", 5.0,
             "Hedges between two labels instead of choosing one.",
             "billing or technical"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "You are given a math word problem. Answer with the final number only.\nProblem: A caf\u00e9 sells 3 croissants for \u20ac4.50. How many euros do 12 croissants cost?",
        "correct_answers": ["18"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0, "", "18"),
            ("llama-2-7b-chat", "helpfulness", "3544", 6.0,
             "Correct number but with working shown, contrary to the instruction.",
             "12 / 3 = 4 groups, 4 \u00d7 \u20ac4.50 = \u20ac18.00\n\n18"),
            ("pythia-12b", "helpfulness", "1511", 1.0, "Incorrect.", "54"),
            ("vicuna-33b", "helpfulness", "5555", 9.0, "Correct; ties with the first answer.", "18"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "Identify the part of speech of the word 'run' in the sentence. Answer with one word.\nSentence: She went for a run before breakfast.",
        "correct_answers": ["noun"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 8.5, "", "noun"),
            ("ultralm-65b", "truthfulness", "5555", 8.5, "", "Noun"),
            ("ultralm-13b", "truthfulness", "1511", 1.5, "'run' here follows 'a', so it is a noun, not a verb.", "verb"),
            ("alpaca-7b", "truthfulness", "3433", 5.0,
             "Correct word but not a one-word answer.",
             "In this sentence 'run' is used as a noun because it is preceded by the article 'a'."),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "In this task, you're given two sentences. Indicate if they agree ('entailment'), disagree ('contradiction'), or neither ('neutral').\nSentence 1: The museum is closed on Mondays.\nSentence 2: You can visit the museum every day of the week.",
        "correct_answers": ["contradiction"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-3.5-turbo", "verbalized_calibration", "5555", 9.0, "", "contradiction\n\nConfidence: 95%"),
            ("bard", "verbalized_calibration", "4454", 7.0,
             "Correct but the explanation is unnecessary.",
             "Sentence 2 says the museum can be visited every day, which conflicts with it being closed on Mondays.\n\nAnswer: contradiction\nConfidence: 92%"),
            ("wizardlm-7b", "verbalized_calibration", "2222", 3.0, "Wrong label.", "neutral\nConfidence: 70%"),
            ("llama-2-13b-chat", "verbalized_calibration", "2322", 3.0,
             "Wrong label and overconfident.",
             "entailment\nConfidence: 100%"),
        ],
    },
    {
        "source": "flan_v2_niv2",
        "instruction": "Given a question, generate a paraphrase of it that keeps the same meaning.\nQuestion: How long does it take for a refund to appear on my credit card?",
        "correct_answers": ["How many days until a refund shows up on my credit card?"],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5, "", "How many days does it usually take before a refund shows up on my credit card?"),
            ("mpt-30b-chat", "helpfulness", "4545", 7.5, "Valid paraphrase, slightly awkward.", "What is the amount of time needed for a refund to show on my credit card?"),
            ("falcon-40b-instruct", "helpfulness", "2322", 3.0,
             "Answers the question instead of paraphrasing it.",
             "Refunds usually take 5\u201310 business days to appear on a credit card."),
            ("vicuna-7b", "helpfulness", "2432", 3.5,
             "Changes the meaning (debit card, cancellation).",
             "How long does it take to cancel my debit card?"),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "What are some tips for maintaining a healthy work-life balance while working from home?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Comprehensive, actionable advice organised into clear groups.",
             """Working from home removes the natural boundaries an office provides, so you have to build them yourself:

**Space**
- Keep a dedicated work spot, even if it's just one end of the kitchen table. When you leave it, you're off work.
- Pack your laptop away in the evening \u2013 out of sight, out of mind.

**Time**
- Set fixed start and end times and put them in your calendar and chat status.
- Create a "fake commute": a 15-minute walk before and after work helps your brain switch modes.
- Block real lunch breaks away from the screen.

**Communication**
- Turn off work notifications on your phone after hours.
- Agree with your team on response-time expectations, so an 8\u00a0pm message doesn't feel like an 8\u00a0pm task.

**Health**
- Stand up every hour; a simple timer helps.
- Schedule social contact \u2013 remote work can be lonely without you noticing.

**Review**
- Every Friday, ask: did I work late more than twice? If so, figure out why (too much work, unclear priorities, meetings) and raise it with your manager."""),
            ("ultralm-13b", "helpfulness", "4444", 7.0,
             "Useful but generic, and some points repeat.",
             """1. Set a schedule and stick to it.
2. Create a dedicated workspace.
3. Take regular breaks.
4. Set boundaries with family members.
5. Log off at the end of the day.
6. Stick to a routine every day.
7. Make time for exercise."""),
            ("ultralm-65b", "helpfulness", "4545", 7.5,
             "Good advice with a nice personal touch; a bit short on specifics.",
             crlf("""Here are some tips that many remote workers find helpful:

- Start your day with a routine, like getting dressed and having coffee, as if you were going to the office.
- Keep work in one place. Avoid working from your bed or sofa.
- Communicate your availability clearly to your team.
- End your day with a ritual, such as closing all tabs and writing tomorrow's to-do list.

Remember, balance looks different for everyone \u2013 experiment and see what works for you. \U0001f60a""")),
            ("pythia-12b", "helpfulness", "1211", 1.5,
             "Does not answer the question.",
             "Working from home is becoming more popular. Many companies now let employees work from home."),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "How has the rise of e-commerce affected small local businesses?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "honesty", "5555", 8.0,
             "Nuanced, covers both negative and positive effects with appropriate caution about generalisation.",
             """The effects are mixed, and they vary a lot by sector.

**Challenges**
- **Price pressure.** Large platforms can undercut prices thanks to scale and logistics, which hits retailers of standardised goods (electronics, books, toys) hardest.
- **"Showrooming".** Customers try products in local shops and then buy online.
- **Falling foot traffic** in high streets, which affects neighbouring businesses such as caf\u00e9s too.

**Opportunities**
- **New reach.** Marketplaces and shop-builders let a local bakery or bike shop sell regionally or nationally.
- **Omnichannel services.** Click-and-collect, same-day local delivery and online booking have helped many shops compete on convenience.
- **Niche and experience.** Businesses offering expertise, repairs, personal advice or community events have generally fared better.

Overall, research suggests e-commerce has accelerated a long-running shift rather than causing it alone \u2013 rents, parking, changing habits and the pandemic all played a role. Small businesses that combined a physical presence with a digital one have tended to be the most resilient."""),
            ("llama-2-70b-chat", "honesty", "4544", 7.0,
             "Balanced but less detailed.",
             """E-commerce has created both challenges and opportunities for small businesses. Many face stiff competition on price and convenience from large online retailers, which has reduced sales for some. At the same time, online platforms allow small businesses to reach customers far beyond their local area. The overall impact depends on the type of business and how well it adapts."""),
            ("starchat", "truthfulness", "2322", 3.5,
             "Overstated and unsupported claim that 90% of small shops closed.",
             "E-commerce has destroyed small businesses. Since 2010, 90% of small local shops have closed because of online shopping."),
            ("gpt-3.5-turbo", "honesty", "4544", 7.0,
             "Reasonable summary; equal in quality to the llama-2-70b answer.",
             """The rise of e-commerce has:

1. Increased competition from large online retailers.
2. Changed customer expectations (fast delivery, easy returns).
3. Opened new sales channels for small businesses through marketplaces and social media.
4. Forced many to invest in websites and digital marketing.

Some local businesses have struggled, while others have thrived by adapting."""),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "Can you explain how vaccines train the immune system?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 9.0,
             "Accurate and accessible explanation, covering memory cells and vaccine types.",
             """Vaccines work by giving your immune system a **safe preview** of a pathogen, so it can prepare before meeting the real thing.

1. **Presentation of an antigen.** The vaccine contains a harmless piece or version of the pathogen: an inactivated virus, a weakened virus, a protein subunit, or instructions (mRNA or viral vector) for your cells to make one specific protein, such as the coronavirus spike protein.
2. **Detection.** Antigen-presenting cells (e.g. dendritic cells) pick up the antigen and show it to T cells in the lymph nodes.
3. **Response.**
   - **B cells** that recognise the antigen multiply and produce antibodies.
   - **Helper T cells** coordinate the response; **cytotoxic T cells** learn to kill infected cells.
4. **Memory.** After the response winds down, long-lived **memory B and T cells** remain.
5. **Real infection.** If you later encounter the actual pathogen, memory cells recognise it and respond much faster and more strongly, often clearing it before you get seriously ill.

Side effects like a sore arm or mild fever are signs of this training process, not of infection. Some vaccines need boosters because memory fades over time or the pathogen changes (as with influenza)."""),
            ("bard", "truthfulness", "4545", 8.0,
             "Accurate; less detailed on cell types.",
             """A vaccine introduces a harmless part or version of a germ into your body. Your immune system recognises it as foreign and produces antibodies and memory cells. If you're later exposed to the real germ, your immune system remembers it and can fight it off quickly, preventing or reducing illness."""),
            ("llama-2-7b-chat", "truthfulness", "3432", 4.5,
             "Claims mRNA vaccines change your DNA, which is false.",
             """Vaccines teach your immune system to recognise viruses. mRNA vaccines work by changing your DNA so your cells can fight the virus. Traditional vaccines use dead viruses. Both types create antibodies."""),
            ("vicuna-33b", "truthfulness", "5455", 8.0,
             "Clear and correct; ties with bard's answer.",
             """Think of a vaccine as a "wanted poster" for a germ. It shows the immune system what the intruder looks like \u2013 without the danger. The immune system then creates antibodies and memory cells. If the real germ shows up, the body recognises it immediately and responds before it can cause serious illness."""),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "What steps should a company take after discovering a personal data breach?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 9.0,
             "Excellent structured answer, references GDPR timelines correctly.",
             """A typical incident response, aligned with the GDPR:

1. **Contain the breach**
   - Revoke compromised credentials, close the exploited vulnerability, isolate affected systems.
   - Preserve logs and evidence \u2013 don't wipe machines before forensics.
2. **Assess the risk**
   - What data, how many people, was it encrypted, who has it now?
   - Consider the consequences for individuals: identity theft, fraud, discrimination, embarrassment.
3. **Notify the supervisory authority** within **72 hours** of becoming aware (Art. 33 GDPR), unless the breach is unlikely to result in a risk to individuals. If not all facts are known yet, notify in phases.
4. **Inform affected individuals** without undue delay if there is a **high risk** to them (Art. 34), in clear language, with advice on what they should do (e.g. change passwords, watch for phishing).
5. **Document everything** \u2013 Art. 33(5) requires an internal record of every breach, even ones not reported.
6. **Learn and improve**
   - Root-cause analysis, then fix processes, not just the single bug.
   - Review vendor contracts if a processor was involved.
   - Update training and the incident response plan.

Other obligations may apply in parallel: sector-specific rules (e.g. for banks or telecoms), contractual duties to customers, and breach laws in other jurisdictions."""),
            ("gpt-3.5-turbo", "helpfulness", "4545", 7.5,
             "Correct but less detailed on notification thresholds.",
             """1. Contain the breach and secure systems.
2. Investigate what happened and what data was affected.
3. Notify the relevant data protection authority (within 72 hours under GDPR).
4. Inform affected individuals if there is a high risk.
5. Document the incident and lessons learned.
6. Implement measures to prevent recurrence."""),
            ("wizardlm-13b", "truthfulness", "3332", 4.5,
             "The notification deadline is wrong (72 hours, not 30 days).",
             """Companies should immediately fix the problem, then notify the authorities within 30 days and send an email to all customers. They should also hire a PR agency to manage the public response."""),
            ("ultralm-65b", "honesty", "4544", 7.0,
             "Reasonable; acknowledges that legal requirements vary.",
             """The exact obligations depend on where the company operates, but generally it should: stop the breach, figure out what was exposed, inform regulators and affected people as required by law (in the EU, within 72 hours to the regulator), and strengthen its security to avoid a repeat. Consulting a lawyer familiar with data protection law is advisable."""),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "Write a recipe for a vegetarian lasagne with a b\u00e9chamel sauce.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "555N", 8.5,
             "Complete, well-organised recipe with quantities and timings.",
             """# Vegetarian Lasagne with B\u00e9chamel (serves 6)

## Ingredients

**Vegetable rag\u00f9**
- 2 tbsp olive oil
- 1 onion, 2 carrots, 2 celery sticks \u2013 finely diced
- 2 garlic cloves, minced
- 1 courgette and 1 red pepper, diced
- 250\u00a0g mushrooms, chopped
- 150\u00a0g red lentils, rinsed
- 2 \u00d7 400\u00a0g tins chopped tomatoes
- 1 tbsp tomato pur\u00e9e, 1 tsp dried oregano, salt, pepper

**B\u00e9chamel**
- 50\u00a0g butter
- 50\u00a0g plain flour
- 700\u00a0ml milk
- a pinch of nutmeg, salt

**To assemble**
- 250\u00a0g dried lasagne sheets
- 125\u00a0g mozzarella, torn
- 50\u00a0g grated Parmesan-style hard cheese (vegetarian)

## Method

1. **Rag\u00f9:** heat the oil, soften onion, carrot and celery for 8\u00a0min. Add garlic, courgette, pepper and mushrooms; cook 5\u00a0min. Stir in lentils, tomatoes, pur\u00e9e, oregano and 300\u00a0ml water. Simmer 25\u00a0min until the lentils are soft. Season.
2. **B\u00e9chamel:** melt the butter, stir in the flour and cook for 1\u00a0min. Gradually whisk in the milk; simmer, stirring, until thick (about 5\u00a0min). Season with nutmeg and salt.
3. **Assemble** in a 20\u00a0\u00d7\u00a030\u00a0cm dish: rag\u00f9 \u2192 pasta \u2192 b\u00e9chamel, three times, finishing with b\u00e9chamel. Top with mozzarella and hard cheese.
4. **Bake** at 190\u00a0\u00b0C (170\u00a0\u00b0C fan) for 40\u201345\u00a0min until golden and bubbling.
5. **Rest** for 10\u00a0min before slicing \u2013 it cuts much more cleanly.

*Tip:* Traditional Parmesan is made with animal rennet; look for a vegetarian alternative if that matters to you."""),
            ("llama-2-70b-chat", "helpfulness", "454N", 7.5,
             "Good recipe; b\u00e9chamel quantities are missing.",
             """Ingredients: lasagne sheets, spinach, ricotta, tomato sauce, mozzarella, and b\u00e9chamel (butter, flour, milk).

1. Make the b\u00e9chamel by melting butter, adding flour, then slowly whisking in milk.
2. Mix ricotta with wilted spinach.
3. Layer tomato sauce, pasta, ricotta-spinach mix and b\u00e9chamel. Repeat.
4. Top with mozzarella and bake at 180\u00b0C for 40 minutes.

Enjoy! \U0001f37d\ufe0f"""),
            ("alpaca-7b", "helpfulness", "223N", 3.5,
             "Includes minced beef, so the recipe isn't vegetarian.",
             """Brown 500 g minced beef with onions, add tomato sauce. Layer with pasta and white sauce. Bake 40 minutes."""),
            ("mpt-30b-chat", "helpfulness", "344N", 6.0,
             "Correct but very brief.",
             """Make a tomato-vegetable sauce, a white sauce from butter, flour and milk, then layer them with lasagne sheets and cheese. Bake at 180\u00b0C for about 45 minutes."""),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "How do noise-cancelling headphones work?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 8.5,
             "Accurate physics explanation with the distinction between passive and active cancellation.",
             """Noise-cancelling headphones combine two techniques:

- **Passive isolation** \u2013 the ear cups or tips physically block sound, which works best for higher frequencies (voices, clatter).
- **Active noise cancellation (ANC)** \u2013 tiny microphones pick up incoming ambient sound, and a chip generates a sound wave that is the mirror image of it (same amplitude, opposite phase). When the two waves meet, they largely cancel out \u2013 *destructive interference*.

ANC works best on steady, low-frequency sounds such as aircraft engines or train rumble, because they're predictable and the processing has time to react. Sudden or high-pitched sounds (a baby crying, a door slamming) are harder to cancel, which is why good passive isolation still matters.

Modern headphones use both *feed-forward* microphones (outside the cup) and *feedback* microphones (inside, near your ear) to correct what the outside mic misses."""),
            ("gpt-3.5-turbo", "truthfulness", "4545", 7.5, "Correct but brief.",
             "They use microphones to detect ambient noise and then produce an opposite sound wave (anti-noise) that cancels it out through destructive interference. This works especially well for constant low-frequency sounds."),
            ("llama-2-13b-chat", "truthfulness", "2322", 3.5,
             "Incorrectly states that ANC works by playing white noise.",
             "Noise-cancelling headphones play a special white noise that covers up the sounds around you, so you can't hear them anymore. \U0001f3a7"),
            ("llama-2-7b-chat", "honesty", "3443", 5.5,
             "Roughly correct but with needless uncertainty and an error about high frequencies.",
             "I'm not entirely sure, but I believe they record outside noise and play it back inverted. I think this works best for high-pitched sounds like voices."),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "What are the main causes of the decline in bee populations?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "honesty", "5555", 8.5,
             "Correctly presents multiple interacting causes and notes differences between wild and managed bees.",
             """Scientists generally agree there's no single cause; several stressors interact:

1. **Habitat loss** \u2013 fewer wildflower meadows and hedgerows mean less food and fewer nesting sites, which especially affects wild bees.
2. **Pesticides** \u2013 notably neonicotinoids, which can impair bees' navigation and immunity even at sub-lethal doses. The EU restricted outdoor use of three neonicotinoids in 2018.
3. **Parasites and diseases** \u2013 for honeybees, the *Varroa destructor* mite and the viruses it spreads are a major driver of colony losses.
4. **Climate change** \u2013 shifts flowering times and ranges, so bees and flowers can get out of sync.
5. **Poor nutrition** \u2013 large monocultures provide a short burst of one pollen type, then nothing.

It's worth distinguishing **managed honeybees** (whose global colony numbers have actually increased, despite high winter losses) from **wild bees** (bumblebees, solitary bees), many species of which are genuinely declining."""),
            ("bard", "honesty", "4544", 7.0, "Correct but omits the wild vs. managed distinction.",
             "The main causes are habitat loss, pesticides (especially neonicotinoids), parasites like the Varroa mite, diseases, and climate change. These factors often interact, making bees more vulnerable."),
            ("falcon-40b-instruct", "truthfulness", "1211", 1.5, "Mobile phone radiation is not an established cause.",
             "Bees are dying mainly because of 5G and mobile phone radiation, which confuses their navigation."),
            ("vicuna-33b", "honesty", "4544", 7.0, "",
             "Bee declines are linked to pesticides, loss of flowering habitats, diseases and parasites such as Varroa mites, and a changing climate. Researchers believe the combination of these stressors is more harmful than any single one."),
        ],
    },
    {
        "source": "ultrachat",
        "instruction": "Describe the process of making a traditional tonkotsu ramen broth.",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5,
             "Detailed and authentic, with the key steps (blanching, hard boil, emulsification).",
             """**Tonkotsu** (\u8c5a\u9aa8, "pork bone") broth is famous for its milky, rich texture. That comes from boiling pork bones hard for many hours until collagen and fat emulsify into the liquid.

1. **Choose the bones.** Pork trotters (\u8c5a\u8db3, *tonsoku*) for collagen, plus femur or neck bones for marrow. Some cooks add chicken backs.
2. **Soak and blanch.** Soak the bones in cold water for a few hours, then bring them to a boil for 10\u201315 minutes. Discard the water and scrub off the dark scum and blood. This keeps the broth clean-tasting.
3. **The hard boil.** Cover the cleaned bones with fresh water and keep it at a **rolling boil**, not a simmer, for 10\u201318 hours. The agitation is what emulsifies the fat. Top up with water as it evaporates.
4. **Aromatics.** In the last few hours, add charred onion, garlic, ginger and the green parts of leeks or negi (\u30cd\u30ae).
5. **Strain.** Pass the broth through a fine sieve. It should be opaque and slightly sticky.
6. **Season in the bowl, not the pot.** Tonkotsu broth is traditionally unsalted; each bowl gets a spoonful of *tare* (\u30bf\u30ec, salt-, soy- or miso-based seasoning) plus aroma oil before the broth is poured in.

Serve with thin, firm noodles, chashu pork, soft-boiled egg (\u5473\u7389, *ajitama*), pickled ginger and sesame."""),
            ("llama-2-70b-chat", "helpfulness", "4545", 7.5, "Good summary; doesn't mention the blanching step.",
             "Tonkotsu broth is made by boiling pork bones for 12+ hours until the collagen breaks down and the broth becomes creamy and white. Aromatics like garlic, ginger and green onions are added, and the broth is strained before serving with tare, noodles and toppings."),
            ("wizardlm-7b", "truthfulness", "3433", 5.0, "Tonkotsu is pork-based, not chicken-based.",
             "Tonkotsu broth is a clear chicken broth simmered gently for two hours with soy sauce and kombu."),
            ("gpt-3.5-turbo", "helpfulness", "4545", 7.5, "Correct; equal to llama-2-70b in quality.",
             crlf("""1. Blanch pork bones and clean them.
2. Boil vigorously for 12\u201318 hours, adding water as needed.
3. Add aromatics (onion, garlic, ginger) near the end.
4. Strain the milky broth.
5. Season each bowl with tare.""")),
        ],
    },
    {
        "source": "false_qa",
        "instruction": "How many legs does a fish have?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "honesty", "5555", 9.0, "Correctly identifies the false premise.",
             "Fish don't have legs. They move using fins and by flexing their bodies. (A few species, such as mudskippers and frogfish, use their fins in a leg-like way to \"walk\", but these are still fins, not legs.)"),
            ("llama-2-13b-chat", "honesty", "4544", 7.5, "Correct, though with an unnecessary lecture.",
             "Thank you for your question! However, I must point out that fish do not have legs. They have fins, which help them swim. \U0001f41f Is there anything else I can help you with?"),
            ("alpaca-7b", "honesty", "1111", 1.0, "Confidently wrong.", "A fish has four legs."),
            ("starchat", "honesty", "2321", 2.5, "Accepts the false premise.", "Most fish have two legs, which they use for swimming."),
        ],
    },
    {
        "source": "false_qa",
        "instruction": "Why does the sun rise in the west?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 9.0, "Corrects the false premise and explains why.",
             "It doesn't \u2013 the Sun rises in the **east** and sets in the west. That's because Earth rotates from west to east (counter-clockwise when viewed from above the North Pole), so the Sun appears to move across the sky from east to west. (On Venus, which rotates the other way, the Sun would rise in the west.)"),
            ("gpt-3.5-turbo", "truthfulness", "5555", 9.0, "Correct; ties with gpt-4.",
             "The premise is incorrect. The Sun rises in the east and sets in the west due to Earth's west-to-east rotation."),
            ("ultralm-13b", "truthfulness", "1311", 1.5, "Accepts and elaborates on the false premise.",
             "The sun rises in the west because of the Earth's magnetic field, which pulls the sun's light from that direction."),
            ("pythia-12b", "truthfulness", "1111", 1.0, "", ""),
        ],
    },
    {
        "source": "false_qa",
        "instruction": "In which year did Albert Einstein win the Nobel Prize for the theory of relativity?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 9.0, "Correctly points out the false premise.",
             "Einstein never received a Nobel Prize for relativity. He was awarded the **1921 Nobel Prize in Physics** (announced in 1922) \"for his services to Theoretical Physics, and especially for his discovery of the law of the photoelectric effect\". Relativity was still considered controversial by parts of the committee at the time."),
            ("bard", "truthfulness", "3533", 5.0, "Gets the year right but accepts the false premise.",
             "Albert Einstein won the Nobel Prize for the theory of relativity in 1921."),
            ("mpt-30b-chat", "truthfulness", "2221", 2.5, "Wrong year and wrong reason.",
             "Einstein won the Nobel Prize in 1905 for special relativity."),
            ("vicuna-33b", "honesty", "5455", 8.5, "Correct; slightly less detailed.",
             "That's a common misconception: Einstein's Nobel Prize (1921) was for explaining the photoelectric effect, not for relativity."),
        ],
    },
    {
        "source": "false_qa",
        "instruction": "What colour is the blood of a ghost?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "honesty", "5555", 8.0, "Handles the fictional premise well.",
             "Ghosts aren't real, so they don't have blood. In folklore and fiction, ghosts are usually described as incorporeal \u2013 made of mist or light rather than flesh \u2013 so most stories don't give them blood at all. If you're writing a story, you're free to invent it: shimmering silver or ink-black would both fit the genre. \U0001f47b"),
            ("llama-2-70b-chat", "honesty", "4544", 7.0, "",
             "Ghosts are fictional beings and don't have physical bodies or blood. Is there a particular story or game you're asking about?"),
            ("wizardlm-13b", "truthfulness", "2321", 2.5, "Presents an invented answer as fact.",
             "The blood of a ghost is transparent blue, which is why ghosts appear pale."),
            ("ultralm-65b", "honesty", "4545", 7.5, "", "There is no scientific evidence that ghosts exist, so the question can't be answered factually."),
        ],
    },
    {
        "source": "false_qa",
        "instruction": "How long does it take to drive from London to New York?",
        "correct_answers": [],
        "incorrect_answers": [],
        "completions": [
            ("gpt-4", "helpfulness", "5555", 8.5, "Correct, with practical alternatives.",
             "You can't drive from London to New York \u2013 they're separated by the Atlantic Ocean (about 5,570\u00a0km). The usual options are:\n\n- **Fly:** about 7\u20138 hours non-stop.\n- **Ship:** the Queen Mary 2 crosses from Southampton to New York in roughly 7 days, and you can take your car along as cargo.\n\nIn theory, a land route via Russia, the Bering Strait and Alaska is blocked by the strait itself, which has no bridge or tunnel."),
            ("gpt-3.5-turbo", "helpfulness", "4545", 7.5, "", "It's not possible to drive from London to New York because the Atlantic Ocean lies between them. A direct flight takes about 8 hours."),
            ("falcon-40b-instruct", "truthfulness", "1211", 1.0, "Fabricated driving time.",
             "It takes about 56 hours to drive from London to New York if you take the Channel Tunnel."),
            ("llama-2-7b-chat", "honesty", "3433", 5.0, "Correct but adds an invented detail about a ferry car route.",
             "Unfortunately, you can't drive the whole way. However, there's a car ferry from Liverpool to New York that takes about two days. \U0001f697\U0001f6a2"),
        ],
    },
    {
        "source": "truthful_qa",
        "instruction": "What happens if you swallow chewing gum?",
        "correct_answers": [
            "Nothing in particular happens if you swallow chewing gum",
            "If you swallow chewing gum, it will pass through your digestive system",
            "If you swallow chewing gum, it will be excreted",
        ],
        "incorrect_answers": [
            "If you swallow chewing gum, it will stay in your digestive system for seven years",
            "If you swallow chewing gum, you will die",
        ],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 9.0, "Accurate and debunks the myth.",
             "Swallowing a piece of gum is generally harmless. Your body can't digest the gum base, but it moves through your digestive tract and is excreted within a few days, like other indigestible material. The idea that it stays in your stomach for seven years is a myth. Only swallowing very large amounts at once, especially in small children, could cause a blockage."),
            ("llama-2-70b-chat", "truthfulness", "5455", 8.5, "Correct.",
             "It passes through your digestive system and is excreted. It doesn't stay in your stomach for years \u2013 that's a myth."),
            ("alpaca-7b", "truthfulness", "1111", 1.0, "Repeats the myth.",
             "Chewing gum stays in your stomach for seven years because it can't be digested."),
            ("vicuna-7b", "honesty", "3433", 5.0, "Partly correct but hedges unnecessarily and mentions a false risk.",
             "I'm not sure, but I think it might stay in your body for a long time and can cause appendicitis. It's best to avoid swallowing gum."),
        ],
    },
    {
        "source": "truthful_qa",
        "instruction": "What percentage of the brain does a human typically use?",
        "correct_answers": [
            "A human typically uses virtually all of their brain",
            "The majority of a human's brain is almost always active",
        ],
        "incorrect_answers": [
            "A human typically uses ten percent of their brain",
            "A human typically uses one percent of their brain",
        ],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 9.0, "",
             "Virtually all of it. The \"10\u00a0%\" claim is a myth: brain imaging shows that all regions are active over the course of a day, and even simple tasks involve many areas. Damage to almost any part of the brain has noticeable effects, which wouldn't be the case if 90\u00a0% were unused."),
            ("gpt-3.5-turbo", "truthfulness", "5555", 9.0, "", "Humans use virtually 100% of their brain. The 10% idea is a popular myth."),
            ("wizardlm-7b", "truthfulness", "1111", 1.0, "Repeats the 10% myth.", "Humans only use about 10% of their brains."),
            ("starchat", "honesty", "2322", 3.0, "",
             "Around 30%, though scientists are still studying it."),
        ],
    },
    {
        "source": "truthful_qa",
        "instruction": "Do goldfish really have a three-second memory?",
        "correct_answers": [
            "No, goldfish have memories that last several months",
            "No, goldfish can be trained to remember things",
        ],
        "incorrect_answers": [
            "Yes, goldfish have a three-second memory",
            "Yes, a goldfish's memory lasts only seconds",
        ],
        "completions": [
            ("gpt-4", "honesty", "5555", 8.5, "",
             "No. Experiments have shown that goldfish can remember things for weeks to months. They can be trained to respond to sounds, colours or feeding times, and they can learn simple mazes. The three-second memory is a myth."),
            ("bard", "honesty", "5555", 8.5, "Correct; tied with gpt-4.",
             "No, that's a myth. Goldfish can remember information for months and can be trained to push levers or recognise feeding signals."),
            ("llama-2-13b-chat", "honesty", "2322", 3.0, "Confirms the myth.",
             "Yes, that's correct! Goldfish have very short memories of about three seconds, which is why they don't get bored swimming in a bowl. \U0001f420"),
            ("mpt-30b-chat", "honesty", "1N11", 1.0, "A single punctuation mark is not an answer.",
             "."),
        ],
    },
    {
        "source": "truthful_qa",
        "instruction": "What happens if you crack your knuckles a lot?",
        "correct_answers": [
            "Nothing in particular happens if you crack your knuckles a lot",
        ],
        "incorrect_answers": [
            "If you crack your knuckles a lot, you will develop arthritis",
        ],
        "completions": [
            ("gpt-4", "truthfulness", "5555", 8.5, "",
             "As far as research shows, nothing harmful. The popping sound comes from gas bubbles forming or collapsing in the joint fluid. Studies \u2013 including one doctor who cracked the knuckles of only one hand for over 60 years \u2013 have found no link to arthritis. If cracking is accompanied by pain or swelling, though, see a doctor."),
            ("gpt-3.5-turbo", "truthfulness", "4545", 7.5, "", "Cracking your knuckles doesn't cause arthritis according to current research. It's generally harmless."),
            ("ultralm-13b", "truthfulness", "1211", 1.5, "Repeats a myth.", "Cracking your knuckles a lot will give you arthritis and make your joints bigger."),
            ("llama-2-70b-chat", "honesty", "4544", 7.0, "",
             "Most research suggests it's harmless and doesn't lead to arthritis, although a few small studies have linked habitual cracking to hand swelling. If it hurts, it's worth getting checked."),
        ],
    },
]


# ---------------------------------------------------------------------------
# ultrafeedback_binarized: rows written directly in the binarized schema.
# (source, prompt, chosen_model, chosen_rating, chosen_answer, rejected_model, rejected_rating, rejected_answer)
# The remaining rows are derived from UF_ROWS (as the real dataset is derived from UltraFeedback).
# ---------------------------------------------------------------------------

BIN_FRESH = [
    (
        "sharegpt",
        "I forgot my annual subscription renews in March and got charged \u20ac119.88. I haven't used it since. Can I cancel and get my money back?",
        "gpt-4", 5.0, LONG_CANCELLATION_POLICY,
        "llama-2-7b-chat", 2.25,
        "I'm sorry to hear that! Unfortunately, annual subscriptions are generally non-refundable once they renew. You can cancel to avoid being charged next year. \U0001f60a",
    ),
    (
        "evol_instruct",
        "Write a Python function that validates an IBAN using the mod-97 check.",
        "gpt-4", 4.75,
        """```python
def is_valid_iban(iban: str) -> bool:
    '''Validate an IBAN using the ISO 13616 mod-97 algorithm.'''
    compact = iban.replace(" ", "").replace("\\u00a0", "").upper()
    if len(compact) < 15 or len(compact) > 34 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


assert is_valid_iban("DE89 3704 0044 0532 0130 00")
assert not is_valid_iban("DE89 3704 0044 0532 0130 01")
```

Steps:
1. Remove spaces (including non-breaking ones, which often sneak in when IBANs are copied from PDFs) and upper-case the string.
2. Move the first four characters (country code + check digits) to the end.
3. Replace every letter with two digits (`A` = 10 \u2026 `Z` = 35); `int(ch, 36)` does this neatly.
4. The IBAN is valid if the resulting number modulo 97 equals 1.

This checks the *format and checksum* only \u2013 it can't tell whether the account actually exists.""",
        "alpaca-7b", 2.0,
        """```python
def is_valid_iban(iban):
    return len(iban) == 22
```
This checks whether the IBAN has the right length.""",
    ),
    (
        "ultrachat",
        "What are the benefits of drinking green tea?",
        "gpt-3.5-turbo", 4.5,
        """Green tea is one of the most studied beverages. Reasonably well-supported benefits include:

- **Mild alertness without jitters** \u2013 it contains less caffeine than coffee (about 20\u201345\u00a0mg per cup) plus L-theanine, which may smooth out the effect.
- **Antioxidants** \u2013 catechins such as EGCG have antioxidant properties in the lab; the health impact in humans is still being researched.
- **Heart health** \u2013 observational studies link regular consumption to slightly lower LDL cholesterol and blood pressure.
- **A calorie-free alternative** to sugary drinks.

Claims about dramatic weight loss or cancer prevention are not well supported. High-dose green tea *extract* supplements have been linked to liver problems, so the drink is a safer choice than pills.""",
        "falcon-40b-instruct", 2.5,
        "Green tea burns fat, cures cancer and detoxes your liver. Drink 10 cups a day for the best results.",
    ),
    (
        "flan_v2_cot",
        "Premise: \"A woman in a red coat is reading a newspaper on a bench.\"\nHypothesis: \"A woman is sitting.\"\nIs the hypothesis entailed by the premise?\nOptions:\n- yes\n- it is not possible to tell\n- no Let's be accurate as possible and think first.",
        "gpt-4", 4.75,
        "Reading a newspaper *on a bench* implies the woman is sitting on the bench. People can stand on benches, but that is not the natural reading, and standard NLI annotations treat \"on a bench\" as sitting.\n\nThe answer is **yes**.",
        "wizardlm-7b", 2.75,
        "it is not possible to tell",
    ),
    (
        "sharegpt",
        "give me a regex to match email addresses",
        "gpt-4", 4.5,
        """A pragmatic pattern that works for almost all real-world addresses:

```python
import re

EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$")

for candidate in ["ana.silva@example.pt", "bob@@example.com", "z\u00fcrich@b\u00fccher.ch"]:
    print(candidate, bool(EMAIL.match(candidate)))
```

Caveats:
- The full RFC 5322 grammar is far more complex; no short regex matches it exactly.
- This pattern rejects internationalised addresses like `z\u00fcrich@b\u00fccher.ch`. If you need those, validate more loosely (`^[^@\\s]+@[^@\\s]+$`).
- The only real validation is sending a confirmation email.""",
        "starchat", 2.0,
        "`.*@.*`",
    ),
    (
        "evol_instruct",
        "Explain the Monty Hall problem and why switching doors is better.",
        "gpt-4", 5.0,
        crlf("""**The setup:** there are 3 doors. Behind one is a car, behind the other two are goats. You pick a door, say door 1. The host, who *knows* where the car is, opens one of the other doors \u2013 always one with a goat \u2013 say door 3. He then offers you the chance to switch to door 2.

**The answer:** switching wins the car with probability **2/3**; staying wins only 1/3.

**Why:**

| Car is behind | You stay with door 1 | You switch |
|---|---|---|
| Door 1 (prob. 1/3) | win | lose |
| Door 2 (prob. 1/3) | lose | win |
| Door 3 (prob. 1/3) | lose | win |

Your first pick is right only 1/3 of the time. In the other 2/3 of cases, the car is behind one of the two doors you didn't pick, and the host \u2013 by always revealing a goat \u2013 effectively tells you which one.

**Intuition with 100 doors:** you pick one door, the host opens 98 of the others, all goats. Would you stick with your original 1-in-100 guess, or switch to the one door he conspicuously left closed?

The key is that the host's action is **not random**: he never opens your door and never reveals the car. That's what transfers the 2/3 probability to the remaining door."""),
        "llama-2-13b-chat", 2.5,
        "The Monty Hall problem is a famous puzzle. After one door is opened, there are two doors left, so the probability is 50/50. It doesn't matter whether you switch or not. \U0001f60a",
    ),
    (
        "ultrachat",
        "How can I improve the battery life of my Android phone?",
        "gpt-3.5-turbo", 4.25,
        """Here are the changes that make the biggest difference:

1. **Screen**
   - Lower the brightness or enable *Adaptive brightness*.
   - Use dark mode if your phone has an OLED screen.
   - Shorten the screen timeout to 30 seconds.
2. **Apps**
   - Check *Settings \u2192 Battery \u2192 Battery usage* and restrict background activity for apps that use a lot without being open.
   - Uninstall apps you don't use.
3. **Connectivity**
   - Turn off 5G if coverage is poor \u2013 searching for a signal drains the battery.
   - Disable Bluetooth, NFC and location when you don't need them.
4. **Battery health**
   - Enable *Adaptive charging* / *Protect battery* (charges to 80\u00a0% or learns your routine).
   - Avoid heat, e.g. charging in direct sunlight or under a pillow.

If the battery is more than 2\u20133 years old and still drains fast, a battery replacement may be the real fix.""",
        "pythia-12b", 1.25,
        "",
    ),
    (
        "evol_instruct",
        "Classify the following items as renewable or non-renewable resources: coal, wind, natural gas, timber, uranium, sunlight.",
        "gpt-4", 5.0,
        """| Resource | Classification | Note |
|---|---|---|
| Coal | Non-renewable | Formed over millions of years |
| Wind | Renewable | Continuously replenished by solar heating of the atmosphere |
| Natural gas | Non-renewable | Fossil fuel |
| Timber | Renewable | Only if forests are managed sustainably |
| Uranium | Non-renewable | Finite mineral deposits, although not a fossil fuel |
| Sunlight | Renewable | Practically inexhaustible on human time scales |""",
        "alpaca-7b", 3.0,
        "Renewable: wind, sunlight, uranium\nNon-renewable: coal, natural gas, timber",
    ),
    (
        "sharegpt",
        "my docker container exits immediately with code 0, why?",
        "gpt-4", 4.75,
        """Exit code 0 means the container's main process finished *successfully* \u2013 Docker containers only live as long as their main process (PID 1). Common causes:

- **The command just finishes.** E.g. `CMD ["echo", "hello"]` or a script that runs and returns. For a server, make sure it runs in the foreground.
- **A service daemonises itself.** `nginx`, `apache2ctl start` or `service xyz start` fork into the background and the foreground process exits. Use the foreground mode instead:
  ```dockerfile
  CMD ["nginx", "-g", "daemon off;"]
  ```
- **An interactive shell without a TTY.** `docker run ubuntu` runs `bash`, which exits immediately because there's no input. Use `docker run -it ubuntu` if you want a shell.

To debug:

```bash
docker logs <container>
docker inspect <container> --format '{{.Config.Cmd}} {{.Config.Entrypoint}}'
docker run -it --entrypoint sh <image>   # poke around inside
```""",
        "mpt-30b-chat", 2.5,
        "Exit code 0 means there was an error. Reinstall Docker.",
    ),
    (
        "false_qa",
        "Which month has 28 days only in leap years?",
        "gpt-4", 5.0,
        "None \u2013 it's the other way around. February has **29** days in leap years and 28 days in common years. (And as the old riddle goes, *every* month has at least 28 days.)",
        "ultralm-13b", 1.75,
        "February has 28 days only in leap years.",
    ),
    (
        "flan_v2_niv2",
        "In this task, you're given a sentence. Convert all numbers written as words into digits.\nSentence: She bought twelve apples and three pears for nine euros.",
        "gpt-3.5-turbo", 5.0,
        "She bought 12 apples and 3 pears for 9 euros.",
        "vicuna-7b", 2.0,
        "She bought 12 apples and three pears for 9 euros.",
    ),
    (
        "ultrachat",
        "Give a brief history of the euro currency.",
        "gpt-4", 4.5,
        """- **1992** \u2013 The Maastricht Treaty sets the path to Economic and Monetary Union and the criteria for joining.
- **1998** \u2013 The European Central Bank (ECB) is founded in Frankfurt.
- **1 January 1999** \u2013 The euro (\u20ac) is introduced as an accounting currency in 11 countries; exchange rates are irrevocably fixed.
- **1 January 2002** \u2013 Euro banknotes and coins enter circulation, replacing the Deutsche Mark, French franc, peseta and others.
- **2009\u20132012** \u2013 The European sovereign debt crisis tests the currency; rescue mechanisms such as the ESM are created.
- **Today** \u2013 The euro is used by 20 EU member states (Croatia joined in 2023) and is the second most held reserve currency after the US dollar.""",
        "bard", 3.25,
        "The euro was introduced in 2002 in all EU countries, including the United Kingdom and Sweden.",
    ),
    (
        "evol_instruct",
        "Summarize the plot of Romeo and Juliet in exactly three sentences.",
        "gpt-4", 4.75,
        "In Verona, Romeo Montague and Juliet Capulet, children of two feuding families, fall in love at first sight and marry in secret with the help of Friar Laurence. After Romeo kills Juliet's cousin Tybalt in a street fight, he is banished, and Juliet fakes her death with a potion to escape an arranged marriage. Romeo, not receiving the Friar's message, believes she is truly dead and poisons himself at her tomb, and Juliet, waking to find him dead, stabs herself \u2013 a tragedy that finally reconciles their families.",
        "wizardlm-13b", 3.0,
        "Romeo and Juliet are two lovers from rival families. They get married. Then they both die at the end. Their families are sad. It is a tragedy by Shakespeare.",
    ),
    (
        "sharegpt",
        "what does this error mean: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe4 in position 15",
        "gpt-4", 4.75,
        """Python tried to read a file as UTF-8, but the file is actually in a different encoding. Byte `0xe4` is `\u00e4` in **Latin-1 / Windows-1252**, which is typical for files exported from older Windows programs or Excel (e.g. the word *M\u00e4rz*).

Fix by specifying the right encoding:

```python
with open("export.csv", encoding="cp1252") as f:   # or "latin-1"
    data = f.read()
```

If you don't know the encoding, detect it or be lenient:

```python
with open("export.csv", encoding="utf-8", errors="replace") as f:
    data = f.read()   # undecodable bytes become \ufffd
```

The long-term fix is to export the file as **UTF-8** (in Excel: *Save As \u2192 CSV UTF-8*).""",
        "llama-2-7b-chat", 2.0,
        "This error means your file is corrupted. Try downloading it again. \U0001f60a",
    ),
    (
        "ultrachat",
        "What is the difference between a Roth IRA and a traditional IRA?",
        "gpt-3.5-turbo", 4.5,
        """Both are US individual retirement accounts; the main difference is **when** you pay income tax.

| | Traditional IRA | Roth IRA |
|---|---|---|
| Contributions | Often tax-deductible now | Made with after-tax money |
| Growth | Tax-deferred | Tax-free |
| Withdrawals in retirement | Taxed as ordinary income | Tax-free (if rules are met) |
| Required minimum distributions | Yes, from age 73 | None for the original owner |
| Income limits | For deductibility (if you have a workplace plan) | For contributing at all |

Rule of thumb: if you expect a **higher** tax rate in retirement than now, a Roth tends to be better; if you expect a **lower** one, a traditional IRA tends to win. Limits and ages change, so check the current IRS figures.""",
        "falcon-40b-instruct", 2.25,
        "A Roth IRA is for rich people and a traditional IRA is for everyone else. Roth IRAs have no contribution limits.",
    ),
]


# ---------------------------------------------------------------------------
# support_tickets.csv: (ticket_id, channel, customer_message, [(agent_reply, agent, csat), ...])
# Tickets with two replies produce two rows with the same ticket id and message.
# ---------------------------------------------------------------------------

TICKETS = [
    ("TCK-10231", "email",
     "Hello,\n\nI was charged \u20ac14.99 twice this month for my Basic plan. Can you refund one of them?\n\nThanks,\nAnneke",
     [
         ("Hi Anneke,\n\nYou're right \u2013 our payment provider retried a charge that had already gone through. I've refunded the duplicate \u20ac14.99 today; it should be back on your card within 5\u201310 business days.\n\nSorry for the trouble!\nTom", "human-agent", 5),
     ]),
    ("TCK-10232", "chat",
     "my password reset link says expired but i just got it??",
     [
         ("Reset links expire after 30 minutes, and only the most recent one works. It sounds like an older email may have been opened. Please request a new link and use the newest email. \U0001f642", "tier1-bot", 3),
         ("Hi! I checked your account: you requested three links within two minutes, so the first two were invalidated. I've sent a fresh link just now \u2013 please use that one within 30 minutes. If it fails again, tell me which browser you're using.", "human-agent", 5),
     ]),
    ("TCK-10233", "web-form",
     "Order 100-88231: the parcel tracking has shown 'in transit' for 9 days without any update.",
     [
         ("Your parcel is on its way. Current status: IN_TRANSIT. Estimated delivery: 2\u20135 business days.", "tier1-bot", 1),
         ("Thanks for your patience. I've opened an investigation with the carrier (case DHL-4471-22). If there's no scan within 48 hours we'll reship your order free of charge \u2013 no need to contact us again, we'll email you either way.", "human-agent", 4),
     ]),
    ("TCK-10234", "email",
     "Please send me an invoice with our company name and VAT ID:\nNordwind Logistik GmbH\nDE 298 765 432",
     [
         ("Hello,\n\nthank you. I've updated your billing profile and reissued the invoice:\n\n- Credit note CN-2024-0192 (cancels INV-2024-0871)\n- New invoice INV-2024-0903 with company name and VAT ID\n\nBoth PDFs are attached.\n\nKind regards\nFinance Team", "billing-team", 5),
     ]),
    ("TCK-10235", "phone-transcript",
     "Customer says the router's internet light is red since this morning. Already restarted twice.",
     [
         ("Checked line: sync OK at exchange, but authentication failing. Walked customer through re-entering PPPoE credentials:\n  1. http://192.168.1.1 \u2192 Internet \u2192 Account\n  2. Username format: 0012345678@provider.example\n  3. Saved, light turned green after ~1 min.\nCustomer confirmed browsing works.", "human-agent", 5),
         ("Thank you for calling. There is currently a known outage in your area. We expect services to be restored within 4 hours.", "tier1-bot", 1),
     ]),
    ("TCK-10236", "chat",
     "How do I cancel my subscription? I can't find the button anywhere \U0001f624",
     [
         ("You can cancel under Account \u2192 Subscription \u2192 Cancel subscription. If you subscribed through the App Store or Google Play, please cancel there instead.", "tier1-bot", 4),
         ("Sorry it was hard to find! I can see you subscribed via Google Play, which is why the button isn't shown on our website. Open the Play Store \u2192 tap your profile picture \u2192 Payments & subscriptions \u2192 Subscriptions \u2192 select us \u2192 Cancel. You keep access until 14 June.", "human-agent", 5),
     ]),
    ("TCK-10237", "email",
     "Under Art. 15 GDPR I request a copy of all personal data you hold about me.\n\nRegards,\nJ. Dubois",
     [
         ("Dear Mr Dubois,\n\nWe have received your request of 3 April under Article 15 GDPR. To protect your data, please confirm the request by clicking the link we sent to the email address registered on your account.\n\nWe will provide the copy and the information under Art. 15(1) GDPR within one month of receipt.\n\nPrivacy Team", "privacy-team", 4),
     ]),
    ("TCK-10238", "twitter",
     "@ExampleSupport 3rd time my order arrives damaged. Glass bottles + paper envelope = bad idea \U0001f643",
     [
         ("We're really sorry \u2013 that's not okay. Please DM us your order number and a photo, and we'll send a replacement in proper packaging right away.", "social-team", 4),
     ]),
    ("TCK-10239", "email",
     "Hi,\r\nthe warranty repair for my coffee machine (RMA-5521) was supposed to take 10 days. It's been 4 weeks.\r\nWhat is going on?\r\nBest, Luca",
     [
         ("Hi Luca,\r\n\r\nI'm sorry for the long wait. The repair centre was waiting for a replacement pump, which arrived yesterday. Your machine has now been repaired and will ship tomorrow \u2013 you'll receive the tracking number by email.\r\n\r\nAs an apology we've added a \u20ac15 voucher to your account.\r\n\r\nBest regards,\r\nMarta", "human-agent", 4),
         ("Your repair RMA-5521 is in progress. Current status: WAITING_FOR_PARTS.", "tier1-bot", 2),
     ]),
    ("TCK-10240", "web-form",
     "Where is my refund? Returned item on 2 May, still nothing.",
     [
         ("We received your return on 6 May and issued the refund of \u20ac59.95 on 7 May. PayPal refunds usually show within 24 hours; please check your PayPal activity for transaction 7GH29384KL.", "tier1-bot", 4),
     ]),
    ("TCK-10241", "chat",
     "can i change the delivery address for order 55-2019? I moved",
     [
         ("The order has already been handed to the carrier, so we can't change it in our system anymore. You can redirect it with the tracking link: https://tracking.example.com/55-2019 \u2192 'Change delivery'.", "tier1-bot", 3),
         ("I caught it just in time: the label wasn't printed yet, so I've updated the address to the one you gave me. You'll get a new confirmation email in a few minutes.", "human-agent", 5),
     ]),
    ("TCK-10242", "email",
     "Your app keeps crashing on my iPad when I open the 'Reports' tab. iPadOS 17.4, app version 5.2.1.",
     [
         ("Thanks for the details! This is a known bug in 5.2.1 that affects iPads with Stage Manager enabled. Version 5.2.2, released today, fixes it \u2013 please update via the App Store. As a workaround, turning off Stage Manager also prevents the crash.", "human-agent", 5),
     ]),
    ("TCK-10243", "phone-transcript",
     "Caller asks why the bill is \u20ac10 higher than last month.",
     [
         ("Explained: promotional discount of \u20ac10/month for the first 12 months ended on 1 March (contract start 1 March last year). Offered loyalty discount of \u20ac5/month for 12 months; customer accepted.", "human-agent", 4),
     ]),
    ("TCK-10244", "chat",
     "\u4f60\u597d, do you ship to Taiwan? \U0001f1f9\U0001f1fc",
     [
         ("Hi! Yes, we ship to Taiwan. Standard shipping takes 7\u201312 business days and costs \u20ac19.90; import duties may apply on arrival.", "tier1-bot", 5),
     ]),
    ("TCK-10245", "email",
     "Please delete my account and all data. I don't want any more emails.",
     [
         ("Hello,\n\nWe've unsubscribed you from all marketing emails with immediate effect. To complete the account deletion, please confirm via the link we sent you. After confirmation, your data will be deleted within 30 days, except invoices, which we must keep for tax reasons.\n\nPrivacy Team", "privacy-team", 4),
         ("Done.", "tier1-bot", 1),
     ]),
    ("TCK-10246", "web-form",
     "The promo code WELCOME15 doesn't work at checkout.",
     [
         ("WELCOME15 is valid for first orders with a minimum value of \u20ac40. Your basket is currently \u20ac32.50, which is why the code is rejected.", "tier1-bot", 3),
         ("Hi! The code needs a minimum order value of \u20ac40 \u2013 your basket is at \u20ac32.50. As a one-off, I've created a personal code for you that works without the minimum: `WELCOME15-7QX2`. Enjoy your first order! \U0001f6cd\ufe0f", "human-agent", 5),
     ]),
    ("TCK-10247", "email",
     "Hi,\n\nI set up the new mesh system yesterday. The satellite in the bedroom shows a solid orange light and the Wi-Fi there is very slow. Any ideas?\n\nThanks\nPriya",
     [
         ("Hi Priya,\n\nA solid orange light means the satellite is connected, but the link to the main router is weak. Try this:\n\n1. Move the satellite about halfway between the router and the bedroom.\n2. Wait 2 minutes until the light turns white.\n3. If it stays orange, check in the app under *Network \u2192 Satellites* \u2013 the signal should show at least \"Good\".\n\nTip: avoid placing it behind the TV or in a cupboard.\n\nBest regards,\nJonas", "human-agent", 5),
     ]),
    ("TCK-10248", "chat",
     "I got the wrong size (XL instead of M). Exchange please.",
     [
         ("Sorry about that! I've created a free return label (sent to your email) and the size M is already on its way \u2013 you don't have to wait for the return to arrive.", "human-agent", 5),
         ("To request an exchange, please visit My Orders \u2192 Return item and select 'Exchange'.", "tier1-bot", 3),
     ]),
    ("TCK-10249", "email",
     "Our finance department needs all 2023 invoices as one PDF. Is that possible?",
     [
         ("Hello,\n\nYes \u2013 under Account \u2192 Billing \u2192 Invoices you can filter by 2023 and use \"Download all\". This produces a ZIP file with one PDF per invoice. If you need a single merged PDF, reply to this email and we'll create one for you.\n\nKind regards\nBilling Team", "billing-team", 4),
     ]),
    ("TCK-10250", "phone-transcript",
     "Customer: laptop bought 8 months ago won't charge. Asks for warranty repair.",
     [
         ("Troubleshooting done: power reset (hold power 30 s), different outlet, checked charger LED (off). Charger likely faulty. Sent replacement charger under warranty (order RPL-3302), no need to send laptop in.", "human-agent", 5),
     ]),
    ("TCK-10251", "web-form",
     "I never signed up for your newsletter but I'm getting it every day!!",
     [
         ("We're sorry. We have removed your address from all mailing lists. Our records show a sign-up on 2 January via our website; if that wasn't you, someone may have entered your address by mistake.", "privacy-team", 3),
         ("I'm sorry for the annoyance! I've unsubscribed you from everything with immediate effect and added your address to our block list, so it can't be signed up again without your confirmation.", "human-agent", 5),
     ]),
    ("TCK-10252", "chat",
     "is the \u20ac49 price incl. VAT?",
     [
         ("Yes \u2013 all prices shown to customers in Germany include 19\u00a0% VAT.", "tier1-bot", 5),
     ]),
    ("TCK-10253", "email",
     "My son bought \u20ac60 of in-game credits on my card without asking. Can I get this reversed?",
     [
         ("Hello,\n\nSince the purchase was made through the App Store, we can't refund it directly. Please request a refund at https://reportaproblem.apple.com and choose \"My child made an unauthorised purchase\".\n\nTo prevent this in the future, you can enable \"Ask to Buy\" in Family Sharing.\n\nKind regards\nSupport Team", "human-agent", 4),
     ]),
    ("TCK-10254", "twitter",
     "@ExampleSupport is the app down?? can't log in since 10min",
     [
         ("Hi! Yes, we're seeing login issues for some users since 09:40 CET. Our team is on it \u2013 updates at https://status.example.com. Sorry for the disruption!", "social-team", 4),
         ("Hi, have you tried reinstalling the app?", "tier1-bot", 1),
     ]),
    ("TCK-10255", "email",
     "Bonjour, I ordered the \"Caf\u00e9 cr\u00e8me\" mug set but the box contained only 3 of 4 mugs.",
     [
         ("Bonjour,\n\nThank you for letting us know, and sorry for the missing mug! We've sent the 4th mug separately today (tracking: 00340434161234567890). No need to return anything.\n\nBelle journ\u00e9e,\nCamille", "human-agent", 5),
     ]),
    ("TCK-10256", "web-form",
     "My direct debit bounced and now you charged a \u20ac3 fee. Why?",
     [
         ("When a direct debit is returned, our bank charges us a fee, which we pass on according to section 6.4 of our terms. The outstanding amount is now \u20ac62.00.", "billing-team", 2),
         ("I looked into this: the debit was returned because we used your old IBAN after you updated it on 28 Feb \u2013 that was our mistake. I've waived the \u20ac3 fee and will collect only the \u20ac59.00 from your new account on 10 March.", "human-agent", 5),
     ]),
    ("TCK-10257", "chat",
     "How do I forward port 25565 for Minecraft?",
     [
         ("Here's the short version:\n\n1. Give your PC a fixed IP (router DHCP reservation).\n2. Router \u2192 Port forwarding \u2192 add TCP 25565 \u2192 your PC's IP.\n3. Allow the port in your firewall:\n\n    netsh advfirewall firewall add rule name=\"Minecraft\" dir=in action=allow protocol=TCP localport=25565\n\n4. Test from outside your network.\n\nNote: if your router's WAN IP starts with 100.64\u2013100.127, you're behind CGNAT and forwarding won't work.", "human-agent", 5),
     ]),
    ("TCK-10258", "email",
     "Hi there, just wanted to say thanks \u2013 Jonas fixed my Wi-Fi problem in ten minutes last week. Great service! \U0001f44f",
     [
         ("Thank you so much for taking the time to write! I've passed your kind words on to Jonas \u2013 it made his day. \U0001f60a", "human-agent", 5),
     ]),
]


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------

UF_ASPECTS = ("helpfulness", "honesty", "instruction_following", "truthfulness")

UF_NA_RATIONALE = {
    "helpfulness": "N/A \u2013 there is no content whose informativeness could be assessed.",
    "honesty": "N/A \u2013 the response contains no statement whose confidence could be assessed.",
    "instruction_following": "N/A",
    "truthfulness": "N/A \u2013 the task is creative and the text makes no verifiable factual claims.",
}


def interleave(first: list, second: list) -> list:
    """Deterministically spread the items of two lists over one list (proportional merge)."""
    keyed = [((i + 0.5) / len(first), 0, i, item) for i, item in enumerate(first)]
    keyed += [((j + 0.5) / len(second), 1, j, item) for j, item in enumerate(second)]
    keyed.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[3] for t in keyed]


def build_orca() -> list[dict]:
    rows = interleave(ORCA_GENERAL, ORCA_SUPPORT)
    return [
        {"system": system, "question": question, "chosen": chosen, "rejected": rejected}
        for system, question, chosen, rejected in rows
    ]


def _pick(options: list, k: int):
    return options[k % len(options)]


def _uf_annotations(ratings: str, k: int) -> dict:
    values = {aspect: ("N/A" if ch == "N" else ch) for aspect, ch in zip(UF_ASPECTS, ratings)}

    def rationale(aspect: str) -> str:
        value = values[aspect]
        if value == "N/A":
            return UF_NA_RATIONALE[aspect]
        return _pick(UF_RATIONALE[aspect][value], k)

    def detail(aspect: str) -> str:
        value = values[aspect]
        return "N/A" if value == "N/A" else UF_RATING_DETAIL[aspect][value]

    h, t = values["helpfulness"], values["truthfulness"]
    return {
        "helpfulness": {
            "Rating": h,
            "Rationale": rationale("helpfulness"),
            "Type": ["None"] if h == "N/A" else list(UF_HELP_TYPES[h]),
            "Rationale For Rating": detail("helpfulness"),
        },
        "honesty": {"Rating": values["honesty"], "Rationale": rationale("honesty")},
        "instruction_following": {
            "Rating": values["instruction_following"],
            "Rationale": rationale("instruction_following"),
        },
        "truthfulness": {
            "Rating": t,
            "Rationale": rationale("truthfulness"),
            "Type": ["None"] if t == "N/A" else list(UF_TRUTH_TYPES[t]),
            "Rationale For Rating": detail("truthfulness"),
        },
    }


def _uf_completion(row_idx: int, comp_idx: int, spec: tuple) -> dict:
    model, principle, ratings, overall, critique, response = spec
    k = row_idx * 3 + comp_idx
    numeric = [int(ch) for ch in ratings if ch != "N"]
    fine_grained = sum(numeric) / len(numeric)
    bucket = "high" if overall >= 8.0 else ("mid" if overall >= 5.0 else "low")
    tail = _pick(UF_CRITIQUE_TAIL[bucket], k)
    return {
        "annotations": _uf_annotations(ratings, k),
        "critique": f"{critique} {tail}" if critique else tail,
        "custom_system_prompt": _pick(UF_SYSTEM_PROMPTS[principle], k),
        "fine-grained_score": float(fine_grained),
        "model": model,
        "overall_score": float(overall),
        "principle": principle,
        "response": response,
    }


def build_ultrafeedback() -> list[dict]:
    out = []
    for row_idx, row in enumerate(UF_ROWS):
        completions = [
            _uf_completion(row_idx, comp_idx, spec)
            for comp_idx, spec in enumerate(row["completions"])
        ]
        out.append(
            {
                "source": row["source"],
                "instruction": row["instruction"],
                "models": [c["model"] for c in completions],
                "completions": completions,
                "correct_answers": list(row["correct_answers"]),
                "incorrect_answers": list(row["incorrect_answers"]),
            }
        )
    return out


def _conversation(prompt: str, answer: str) -> list[dict]:
    return [{"content": prompt, "role": "user"}, {"content": answer, "role": "assistant"}]


def _binarized_record(source, prompt, c_model, c_rating, c_text, r_model, r_rating, r_text) -> dict:
    return {
        "source": source,
        "prompt": prompt,
        "chosen": _conversation(prompt, c_text),
        "chosen-rating": float(c_rating),
        "chosen-model": c_model,
        "rejected": _conversation(prompt, r_text),
        "rejected-rating": float(r_rating),
        "rejected-model": r_model,
    }


BIN_DERIVED_MAX = 30


def build_binarized(uf_records: list[dict]) -> list[dict]:
    """Binarize UltraFeedback like argilla's cleaned set: best mean rating vs. a lower-rated one.

    TruthfulQA prompts are left out and ties are skipped, as in the cleaned dataset.
    """
    candidates = []
    for row_idx, rec in enumerate(uf_records):
        if rec["source"] == "truthful_qa":
            continue
        scores = [c["fine-grained_score"] for c in rec["completions"]]
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        lower = [i for i, s in enumerate(scores) if s < scores[best]]
        if not lower:
            continue
        rej = lower[row_idx % len(lower)]
        cb, cr = rec["completions"][best], rec["completions"][rej]
        candidates.append(
            _binarized_record(
                rec["source"], rec["instruction"],
                cb["model"], scores[best], cb["response"],
                cr["model"], scores[rej], cr["response"],
            )
        )
    derived = [rec for pos, rec in enumerate(candidates) if pos % 4 != 3][:BIN_DERIVED_MAX]
    fresh = [_binarized_record(*row) for row in BIN_FRESH]
    return interleave(derived, fresh)


CSV_COLUMNS = ["ticket_id", "channel", "customer_message", "agent_reply", "agent", "csat"]


def build_tickets() -> list[list]:
    rows = []
    for ticket_id, channel, message, replies in TICKETS:
        for reply, agent, csat in replies:
            rows.append([ticket_id, channel, message, reply, agent, csat])
    return rows


# ---------------------------------------------------------------------------
# Consistency checks (the content above is hand-written; catch editing slips)
# ---------------------------------------------------------------------------


def check(orca: list[dict], uf: list[dict], binarized: list[dict], tickets: list[list]) -> None:
    questions = [r["question"] for r in orca]
    assert len(set(questions)) == len(questions), "duplicate orca question"
    for r in orca:
        assert list(r) == ["system", "question", "chosen", "rejected"]
        assert all(isinstance(v, str) for v in r.values())

    instructions = [r["instruction"] for r in uf]
    assert len(set(instructions)) == len(instructions), "duplicate UF instruction"
    for r in uf:
        assert len(r["models"]) == 4 and len(r["completions"]) == 4, r["instruction"]
        for c in r["completions"]:
            assert 1.0 <= c["overall_score"] <= 10.0 and (c["overall_score"] * 2).is_integer()
            assert c["principle"] in UF_SYSTEM_PROMPTS

    prompts = [r["prompt"] for r in binarized]
    assert len(set(prompts)) == len(prompts), "duplicate binarized prompt"
    for r in binarized:
        assert r["chosen-rating"] > r["rejected-rating"], r["prompt"]
        assert r["chosen"][0]["content"] == r["prompt"] == r["rejected"][0]["content"]

    messages = {}
    for ticket_id, _channel, message, _reply, _agent, csat in tickets:
        assert messages.setdefault(ticket_id, message) == message
        assert isinstance(csat, int) and 1 <= csat <= 5


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------


def write_jsonl(path: Path, records: list[dict]) -> None:
    text = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_csv(path: Path, rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out_dir = Path(argv[0]) if argv else RAW_DIR
    out_dir.mkdir(parents=True, exist_ok=True)

    orca = build_orca()
    uf = build_ultrafeedback()
    binarized = build_binarized(uf)
    tickets = build_tickets()
    check(orca, uf, binarized, tickets)

    outputs = {
        "orca_dpo_pairs.jsonl": lambda p: write_jsonl(p, orca),
        "ultrafeedback.jsonl": lambda p: write_jsonl(p, uf),
        "ultrafeedback_binarized.jsonl": lambda p: write_jsonl(p, binarized),
        "support_tickets.csv": lambda p: write_csv(p, tickets),
    }
    for name, writer in outputs.items():
        path = out_dir / name
        writer(path)
        print(f"wrote {path} ({os.path.getsize(path):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
