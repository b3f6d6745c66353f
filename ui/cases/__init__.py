"""Case tracking screens: the case lists (我的办件 / 全部办件), the case detail, its dialogs, printing the
receipt and notice, and opening a case from a scanned receipt barcode."""
