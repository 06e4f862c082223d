//! The demo's tenders: the templates of what is sought, the fictional counterparts who seek it,
//! and the tenders drawn from them, dated relative to the day of loading.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::plan::{TenderPlan, allocate, date};
use crate::domain::{CertificationStandard, CounterpartKind, ServiceLine, TenderStatus};

pub(super) struct TenderTemplate {
    pub(super) title_en: &'static str,
    pub(super) title_zh: &'static str,
    pub(super) lines: &'static [ServiceLine],
}

pub(super) const TENDER_TEMPLATES: &[TenderTemplate] = {
    use ServiceLine::*;
    &[
        TenderTemplate {
            title_en: "Offshore development team for a trade-finance platform",
            title_zh: "贸易金融平台离岸开发团队",
            lines: &[SoftwareDevelopment],
        },
        TenderTemplate {
            title_en: "Regression testing of a bonded-warehouse management system",
            title_zh: "保税仓储管理系统回归测试",
            lines: &[SoftwareTesting],
        },
        TenderTemplate {
            title_en: "24/7 bilingual customer-service hotline",
            title_zh: "7×24小时中英双语客服热线",
            lines: &[CallCentre],
        },
        TenderTemplate {
            title_en: "Customs declaration data entry and verification",
            title_zh: "报关单数据录入与核验",
            lines: &[DataProcessing],
        },
        TenderTemplate {
            title_en: "Accounts-payable back office for a logistics group",
            title_zh: "物流集团应付账款后台服务",
            lines: &[FinanceAndAccounting],
        },
        TenderTemplate {
            title_en: "Cross-border e-commerce order fulfilment analytics",
            title_zh: "跨境电商订单履约数据分析",
            lines: &[DataAnalytics, DataProcessing],
        },
        TenderTemplate {
            title_en: "Animated product explainer series",
            title_zh: "产品动画讲解系列制作",
            lines: &[AnimationAndCreativeDesign],
        },
        TenderTemplate {
            title_en: "Cloud operations and monitoring for a fintech platform",
            title_zh: "金融科技平台云运维与监控",
            lines: &[ItOperations, InformationSecurity],
        },
        TenderTemplate {
            title_en: "Integration of port logistics systems",
            title_zh: "港口物流系统集成",
            lines: &[SystemIntegration, SupplyChain],
        },
        TenderTemplate {
            title_en: "Clinical data management for a biotech trial",
            title_zh: "生物医药临床试验数据管理",
            lines: &[MedicalAndPharmaResearch, DataProcessing],
        },
        TenderTemplate {
            title_en: "Mechanical design drawings for equipment leasing",
            title_zh: "融资租赁设备机械设计图纸",
            lines: &[EngineeringDesign],
        },
        TenderTemplate {
            title_en: "Payroll and HR administration outsourcing",
            title_zh: "薪酬与人事行政外包",
            lines: &[HumanResources],
        },
        TenderTemplate {
            title_en: "Security assessment of a payment gateway",
            title_zh: "支付网关安全评估",
            lines: &[InformationSecurity, SoftwareTesting],
        },
        TenderTemplate {
            title_en: "Mobile app for a free-trade-zone service hall",
            title_zh: "自贸区服务大厅移动应用开发",
            lines: &[SoftwareDevelopment, SystemIntegration],
        },
        TenderTemplate {
            title_en: "Supply-chain control tower for imported goods",
            title_zh: "进口商品供应链控制塔",
            lines: &[SupplyChain, DataAnalytics],
        },
        TenderTemplate {
            title_en: "R&D support for an industrial IoT gateway",
            title_zh: "工业物联网网关研发支持",
            lines: &[ResearchAndDevelopment, SoftwareDevelopment],
        },
    ]
};

pub(super) const COUNTERPARTS: &[(&str, &str, CounterpartKind, Option<&str>, &str)] = {
    use CounterpartKind::*;
    &[
        (
            "Harbourline Trade Finance (Shanghai) Co., Ltd.",
            "港线贸易金融（上海）有限公司",
            FtzEnterprise,
            Some("lujiazui"),
            "Shanghai",
        ),
        (
            "Bondgate Logistics (Shanghai) Co., Ltd.",
            "保门物流（上海）有限公司",
            FtzEnterprise,
            Some("waigaoqiao_ftz"),
            "Shanghai",
        ),
        (
            "Eastquay Supply Chain Management Co., Ltd.",
            "东岸供应链管理有限公司",
            FtzEnterprise,
            Some("waigaoqiao_logistics_park"),
            "Shanghai",
        ),
        (
            "Deepwater Port Services (Shanghai) Co., Ltd.",
            "深水港务服务（上海）有限公司",
            FtzEnterprise,
            Some("yangshan_port"),
            "Shanghai",
        ),
        (
            "Skybond Air Cargo Services Co., Ltd.",
            "天保航空货运服务有限公司",
            FtzEnterprise,
            Some("pudong_airport"),
            "Shanghai",
        ),
        (
            "Goldbridge Equipment Leasing Co., Ltd.",
            "金桥设备融资租赁有限公司",
            FtzEnterprise,
            Some("jinqiao"),
            "Shanghai",
        ),
        (
            "Helixa Biotech (Shanghai) Co., Ltd.",
            "螺旋生物科技（上海）有限公司",
            FtzEnterprise,
            Some("zhangjiang"),
            "Shanghai",
        ),
        (
            "Newshore Smart Manufacturing Co., Ltd.",
            "新岸智能制造有限公司",
            FtzEnterprise,
            Some("lingang"),
            "Shanghai",
        ),
        (
            "Westlake Commerce Cloud Co., Ltd.",
            "西湖商务云有限公司",
            DomesticEnterprise,
            None,
            "Hangzhou",
        ),
        (
            "Sakura Systems Integration K.K.",
            "樱花系统集成株式会社",
            ForeignEnterprise,
            None,
            "Tokyo",
        ),
        (
            "Straits Payments Pte. Ltd.",
            "海峡支付私人有限公司",
            ForeignEnterprise,
            None,
            "Singapore",
        ),
    ]
};

/// `total` tenders, spread over the statuses as the demo's 36 are.
pub(super) fn generate_tenders(
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    total: usize,
) -> Vec<TenderPlan> {
    use TenderStatus::*;
    let midnight =
        |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(9, 0, 0).unwrap_or_default());
    let statuses = [
        (Complete, 10),
        (Unsuccessful, 5),
        (Cancelled, 3),
        (Active, 12),
        (Planning, 6),
    ];
    let weights: Vec<u64> = statuses.iter().map(|&(_, w)| w).collect();
    let counts = allocate(total as i64, &weights);
    let mut tenders = Vec::with_capacity(total);
    for (&(status, _), &count) in statuses.iter().zip(&counts) {
        for _ in 0..count {
            let (start, end) = match status {
                Active => {
                    let start = today - Duration::days(rng.random_range(1..20));
                    (
                        midnight(start),
                        midnight(today + Duration::days(rng.random_range(7..60))),
                    )
                }
                Planning => {
                    let start = today + Duration::days(rng.random_range(3..30));
                    (midnight(start), midnight(start + Duration::days(30)))
                }
                _ => {
                    let start = date(
                        rng.random_range(2015..=2025),
                        rng.random_range(1..=12),
                        rng.random_range(1..=28),
                    );
                    (
                        midnight(start),
                        midnight(start + Duration::days(rng.random_range(20..45))),
                    )
                }
            };
            let value = (rng.random_range(0..100) < 85).then(|| {
                let (currency, unit) = *[
                    ("USD", 100),
                    ("USD", 100),
                    ("CNY", 100),
                    ("JPY", 1),
                    ("EUR", 100),
                ]
                .choose(rng)
                .unwrap_or(&("USD", 100));
                let scale = match currency {
                    "JPY" => 150,
                    "CNY" => 7,
                    _ => 1,
                };
                (rng.random_range(5..200) * 10_000 * scale * unit, currency)
            });
            let required = match rng.random_range(0..100) {
                0..35 => vec![],
                35..75 => vec![CertificationStandard::Iso9001],
                75..90 => vec![CertificationStandard::CmmiDev],
                _ => vec![
                    CertificationStandard::IsoIec27001,
                    CertificationStandard::Iso9001,
                ],
            };
            tenders.push(TenderPlan {
                template: rng.random_range(0..TENDER_TEMPLATES.len()),
                counterpart: rng.random_range(0..COUNTERPARTS.len()),
                status,
                start,
                end,
                value,
                required,
                min_employees: (rng.random_range(0..100) < 40)
                    .then(|| *[20, 50, 100, 200].choose(rng).unwrap_or(&50)),
            });
        }
    }
    tenders.sort_by_key(|t| t.start);
    tenders
}
