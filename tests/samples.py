"""Realistic answers for each shipped form, typed the way staff type them."""
from __future__ import annotations

from danvan_kit.widgets import FormView

# What a commune's staff would type: Vietnamese number formats, dd/mm/yyyy dates.
REPORT_INPUT = {
    "so_ky_hieu": "58/BC-UBND",
    "ngay_bao_cao": "28/04/2026",
    "nguoi_lap": "Nguyễn Thị Hồng Nhung",
    "dien_thoai": "0271 3 645 123",
    "pho_bien_chi_thi_33": True,
    "so_van_ban_trien_khai": "4",
    "so_cuoc_tuyen_truyen": "12",
    "so_luot_nguoi_tham_du": "1.250",
    "so_cuoc_vung_dtts": "5",
    "hinh_thuc_tuyen_truyen": ["hoi_nghi", "truyen_thanh"],
    "ket_qua_tuyen_truyen": ("Tổ chức 12 cuộc tuyên truyền tại 8 ấp, "
                             "chú trọng ấp Sóc Lớn có đông đồng bào dân tộc S’tiêng."),
    "so_chuong_trinh_phoi_hop": "3",
    "co_khao_sat_hai_long": True,
    "ty_le_hai_long": "92,5",
    "so_mo_hinh_dang_ky": "3",
    "so_mo_hinh_cong_nhan": "2",
    "so_mo_hinh_hieu_qua": "2",
    "co_quy_che_dan_chu": True,
    "so_hoi_nghi_dan_chu": "2",
    "so_noi_dung_cong_khai": "15",
    "tthc_tiep_nhan": "1.840",
    "tthc_truc_tuyen": "1.102",
    "tthc_dung_han": "1.795",
    "tthc_tre_han": "12",
    "luot_tiep_cong_dan": "46",
    "luot_nguoi_dung_dau_tiep": "12",
    "so_cuoc_doi_thoai": "2",
    "khieu_nai_tiep_nhan": "7",
    "khieu_nai_da_giai_quyet": "6",
    "khieu_nai_qua_han": "0",
    "to_cao_tiep_nhan": "1",
    "to_cao_da_giai_quyet": "1",
    "kien_nghi_tiep_nhan": "38",
    "kien_nghi_da_giai_quyet": "35",
    "so_cuoc_kiem_tra": "2",
    "so_don_vi_duoc_kiem_tra": "6",
    "tao_dieu_kien_giam_sat": True,
    "ket_qua_dat_duoc": "Công tác dân vận chính quyền có chuyển biến; 98% hồ sơ giải quyết đúng hạn.",
    "ton_tai_han_che": "Một số ấp còn lúng túng khi tổ chức đối thoại với Nhân dân.",
    "nguyen_nhan": "Cán bộ ấp kiêm nhiệm nhiều việc, chưa được tập huấn kỹ năng.",
    "phuong_huong": "Tập huấn kỹ năng dân vận cho cán bộ ấp trong quý III; nhân rộng mô hình hiến đất làm đường.",
    "de_xuat_kien_nghi": "Đề nghị huyện hỗ trợ kinh phí in tài liệu tuyên truyền song ngữ.",
}
REPORT_ROWS = [
    {"ngay": "15/03/2026", "noi_dung": "Hội nghị phổ biến Chỉ thị 33 cho cán bộ xã", "so_nguoi": "85"},
    {"ngay": "02/04/2026", "noi_dung": "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở tại ấp 3", "so_nguoi": "120"},
]

SELF_ASSESSMENT_INPUT = {
    "co_vi_pham_nghiem_trong": False,
    **{f"tc_{g}_{i}": s for (g, i, s) in [
        (1, 1, "5"), (1, 2, "5"), (1, 3, "4,5"), (1, 4, "4"),
        (2, 1, "4"), (2, 2, "8"), (2, 3, "4"),
        (3, 1, "5"), (3, 2, "4"), (3, 3, "4"),
        (4, 1, "7,5"), (4, 2, "4"), (4, 3, "4"), (4, 4, "3"),
        (5, 1, "5"), (5, 2, "8"),
        (6, 1, "4"), (6, 2, "4,5"),
    ]},
    "tc_1_1__evidence": "Kế hoạch số 12/KH-UBND ngày 20/01/2026",
    "tc_2_2__evidence": "Quyết định công nhận mô hình số 45/QĐ-UBND",
    "nhan_xet": "Đơn vị hoàn thành tốt nhiệm vụ, còn hạn chế ở tỷ lệ hồ sơ trực tuyến.",
    "nguoi_lap": "Trần Văn Bình",
    "ngay_lap": "20/04/2026",   # not after any test clock: the form says max: today
}
SELF_ASSESSMENT_TOTAL = 87.5

MODEL_INPUT = {
    "ten_mo_hinh": "Dân vận khéo trong vận động Nhân dân hiến đất làm đường giao thông nông thôn",
    "linh_vuc": "nong_thon_moi",
    "loai_hinh": "tap_the",
    "ten_tap_the": "Ban Nhân dân ấp Sóc Lớn",
    "thuc_trang_ly_do": "Đường liên ấp hẹp, mùa mưa lầy lội, học sinh đi lại khó khăn.",
    "muc_tieu": "Mở rộng 3,2 km đường liên ấp lên 6 m trong năm 2026.",
    "noi_dung_cach_lam": "Cán bộ ấp đến từng hộ vận động; công khai thiết kế; Nhân dân giám sát thi công.",
    "dia_ban": "Ấp Sóc Lớn, xã An Phú",
    "doi_tuong_thu_huong": "Nhân dân ấp Sóc Lớn",
    "so_nguoi_huong_loi": "1.320",
    "luc_luong_chu_tri": "Ban Nhân dân ấp",
    "luc_luong_phoi_hop": "Mặt trận Tổ quốc xã, Hội Nông dân, Đoàn Thanh niên",
    "ngay_bat_dau": "01/03/2026",
    "ngay_ket_thuc_du_kien": "30/11/2026",
    "lo_trinh": "Quý I khảo sát; quý II–III vận động và thi công; quý IV nghiệm thu.",
    "ket_qua_kiem_chung": "42 hộ hiến 6.800 m² đất; 3,2 km đường đã thông xe.",
    "kha_nang_nhan_rong": "cao",
    "cap_cong_nhan": "huyen",
    "hinh_thuc_khen_thuong": "Giấy khen của Chủ tịch UBND huyện, Quyết định số 1021/QĐ-UBND ngày 15/10/2026",
}
MODEL_ROWS = [
    {"nguon": "ngan_sach", "so_tien": "850"},
    {"nguon": "nhan_dan", "so_tien": "1.240,5", "ghi_chu": "Ngày công và tiền mặt"},
]


def fill(view: FormView, values: dict, rows: dict[str, list[dict]] | None = None) -> FormView:
    """Type values into a FormView the way a person would, control by control."""
    for name, value in values.items():
        if name.endswith("__evidence"):
            view.controls[name.removesuffix("__evidence")].evidence_raw = value
        else:
            view.controls[name].raw = value
    for name, row_list in (rows or {}).items():
        control = view.controls[name]
        for row in row_list:
            controls = control.add_row()
            for sub, value in row.items():
                controls[sub].raw = value
    return view
