//! The demo dataset: the province's public story, told through records.
//!
//! It carries the districts, the Shanghai FTZ areas, the parks and leading companies named in
//! the public record, and further companies generated deterministically (fixed seed) with
//! fictional names, each described as fictional. The yearly figures are allocated so that the
//! statistics computed from them equal the published figures exactly: 893 companies reporting
//! for 2013 and 1,056 for 2014, 108,098 and 116,000 employees, USD 1,383,113,714 and
//! 1,417,000,000 contracted, 62 and 179 international certificates issued. Nothing of that is
//! stored as a total: change a record and the statistics change with it.
//!
//! Certificates form renewal chains (every three years) up to the dataset's horizon, so that
//! today's holdings are current while the 2013 and 2014 issues match the record. Open tenders
//! are dated relative to the day the dataset is loaded, so that they are open when seen.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QuerySelect, TransactionTrait,
};

use crate::domain::*;
use crate::entities::{
    alliance, alliance_member, certification, company, company_figures, company_service_line,
    counterpart, park, park_focus_industry, tender, tender_required_certification,
    tender_service_line,
};
use crate::error::{AppError, AppResult};
use crate::search::DocKey;
use crate::services::reference::{self, FTZ_AREAS};

const SEED: u64 = 0x6761_6e62_7269_6467; // "ganbridg"

/// The published figures the dataset reproduces: (year, companies, employees, USD contracted,
/// new international certificates).
pub const PUBLISHED: [(i32, usize, i64, i64, usize); 2] = [
    (2013, 893, 108_098, 1_383_113_714, 62),
    (2014, 1_056, 116_000, 1_417_000_000, 179),
];

/// What happened when the dataset was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded {
        companies: usize,
        certifications: usize,
        tenders: usize,
    },
    /// The database already holds companies; nothing was written.
    AlreadyPopulated { companies: u64 },
}

mod synthetic;

/// Loads the demo dataset into an empty database, in one transaction: all of it or nothing.
/// The search index follows through the outbox, as after any other write.
pub async fn load(db: &DatabaseConnection, today: NaiveDate) -> AppResult<DemoOutcome> {
    write(db, Plan::generate(today), true).await
}

/// Loads a synthetic dataset of `companies` companies (deterministic for a given size) into an
/// empty database, in one transaction, for benchmarks at scale; see [`synthetic`]. Nothing is
/// queued for the search index: rebuild it afterwards (`ganbridge seed synthetic` does).
pub async fn load_synthetic(
    db: &DatabaseConnection,
    today: NaiveDate,
    companies: usize,
) -> AppResult<DemoOutcome> {
    if !(1..synthetic::MAX_COMPANIES).contains(&companies) {
        return Err(AppError::bad_input(format!(
            "a synthetic dataset holds 1 to {} companies",
            synthetic::MAX_COMPANIES - 1
        )));
    }
    write(db, synthetic::plan(companies, today), false).await
}

async fn write(db: &DatabaseConnection, plan: Plan, enqueue: bool) -> AppResult<DemoOutcome> {
    reference::ensure(db).await?;
    let existing = company::Entity::find().count(db).await?;
    if existing > 0 {
        return Ok(DemoOutcome::AlreadyPopulated {
            companies: existing,
        });
    }
    let reference = reference::load(db).await?;
    let district_ids: HashMap<DistrictCode, i64> =
        reference.districts.iter().map(|d| (d.code, d.id)).collect();
    let ftz_ids: HashMap<String, i64> = reference
        .ftz_areas
        .iter()
        .map(|a| (a.code.clone(), a.id))
        .collect();
    let txn = db.begin().await?;
    // Several servers may start at once on one PostgreSQL: one loads, the others wait here,
    // then find the companies and leave them be.
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(2014062501)")
            .await?;
    }
    let existing = company::Entity::find().count(&txn).await?;
    if existing > 0 {
        return Ok(DemoOutcome::AlreadyPopulated {
            companies: existing,
        });
    }
    let created = Utc
        .with_ymd_and_hms(2015, 6, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let park_ids = insert_parks(&txn, &district_ids, created).await?;
    let company_ids = insert_companies(&txn, &plan, &district_ids, &park_ids, created).await?;
    insert_certifications(&txn, &plan, &company_ids).await?;
    let counterpart_ids = insert_counterparts(&txn, &ftz_ids, created).await?;
    let tender_ids = insert_tenders(&txn, &plan, &counterpart_ids).await?;
    insert_alliances(&txn, &plan, &company_ids, created).await?;
    // The index follows through the outbox, like every other write.
    if enqueue {
        let keys: Vec<DocKey> = company_ids
            .iter()
            .map(|&id| DocKey::new(SearchType::Company, id))
            .chain(
                tender_ids
                    .iter()
                    .map(|&id| DocKey::new(SearchType::Tender, id)),
            )
            .chain(park_ids.iter().map(|&id| DocKey::new(SearchType::Park, id)))
            .collect();
        crate::services::outbox::enqueue(&txn, &keys).await?;
    }
    txn.commit().await?;
    Ok(DemoOutcome::Loaded {
        companies: plan.companies.len(),
        certifications: plan.certifications.len(),
        tenders: plan.tenders.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// The plan: everything decided in memory first, deterministically, then written.

struct ParkPlan {
    name_en: &'static str,
    name_zh: &'static str,
    level: ParkLevel,
    district: DistrictCode,
    established: i32,
    focus: &'static [ServiceLine],
    named_in_record: bool,
}

struct CompanyPlan {
    uscc: String,
    name_en: String,
    name_zh: String,
    district: DistrictCode,
    park: Option<usize>,
    lines: Vec<ServiceLine>,
    founded: i32,
    leading: bool,
    description: String,
    description_zh: String,
    website: Option<String>,
    /// (year, employees, contract USD)
    figures: Vec<(i32, i64, i64)>,
    offshore_share: u32,
}

struct CertPlan {
    company: usize,
    standard: CertificationStandard,
    level: Option<i16>,
    issue: NaiveDate,
    expiry: NaiveDate,
    status: CertificationStatus,
    number: String,
    body: &'static str,
    accreditation: Option<&'static str>,
    source: &'static str,
}

struct TenderPlan {
    template: usize,
    counterpart: usize,
    status: TenderStatus,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    value: Option<(i64, &'static str)>,
    required: Vec<CertificationStandard>,
    min_employees: Option<i32>,
}

/// English name, Chinese name, members (company index, share in basis points), lead first.
type AlliancePlan = (String, String, Vec<(usize, i32)>);

struct Plan {
    companies: Vec<CompanyPlan>,
    certifications: Vec<CertPlan>,
    tenders: Vec<TenderPlan>,
    alliances: Vec<AlliancePlan>,
}

const PARKS: &[ParkPlan] = {
    use DistrictCode::*;
    use ParkLevel::*;
    use ServiceLine::*;
    &[
        ParkPlan {
            name_en: "Nanchang National Service Outsourcing Demonstration City",
            name_zh: "南昌国家服务外包示范城市",
            level: NationalDemonstrationCity,
            district: Nanchang,
            established: 2009,
            focus: &[
                SoftwareDevelopment,
                CallCentre,
                AnimationAndCreativeDesign,
                DataProcessing,
            ],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "Zhongkai Science and Technology Park of Jiangxi & Zhejiang University",
            name_zh: "江西浙大中控科技园",
            level: ProvincialDemonstrationPark,
            district: Nanchang,
            established: 2008,
            focus: &[SoftwareDevelopment, SystemIntegration, EngineeringDesign],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "81 Building Group Service Outsourcing Park",
            name_zh: "八一大楼群服务外包园",
            level: ProvincialDemonstrationPark,
            district: Nanchang,
            established: 2010,
            focus: &[CallCentre, DataProcessing, HumanResources],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "National University Science Park of Jiangxi Normal University",
            name_zh: "江西师范大学国家大学科技园",
            level: ProvincialDemonstrationPark,
            district: Nanchang,
            established: 2006,
            focus: &[
                SoftwareDevelopment,
                AnimationAndCreativeDesign,
                ResearchAndDevelopment,
            ],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "Ganjiang New Area Digital Services Park",
            name_zh: "赣江新区数字服务园",
            level: ProvincialDemonstrationPark,
            district: Nanchang,
            established: 2012,
            focus: &[DataAnalytics, ItOperations, FinanceAndAccounting],
            named_in_record: false,
        },
        ParkPlan {
            name_en: "Science and Industry Park of Jiujiang Economic & Technology Development Area",
            name_zh: "九江经济技术开发区科技产业园",
            level: ProvincialDemonstrationPark,
            district: Jiujiang,
            established: 2007,
            focus: &[EngineeringDesign, SupplyChain, SoftwareTesting],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "Jiujiang Lakeside Service Outsourcing Park",
            name_zh: "九江湖滨服务外包园",
            level: ProvincialDemonstrationPark,
            district: Jiujiang,
            established: 2011,
            focus: &[CallCentre, DataProcessing],
            named_in_record: false,
        },
        ParkPlan {
            name_en: "Ganzhou Red Culture Creative Industry Park",
            name_zh: "赣州红色文化创意产业园",
            level: ProvincialDemonstrationPark,
            district: Ganzhou,
            established: 2011,
            focus: &[AnimationAndCreativeDesign, EngineeringDesign],
            named_in_record: true,
        },
        ParkPlan {
            name_en: "Ganzhou Southern Jiangxi Software Park",
            name_zh: "赣南软件园",
            level: ProvincialDemonstrationPark,
            district: Ganzhou,
            established: 2010,
            focus: &[SoftwareDevelopment, SoftwareTesting, ItOperations],
            named_in_record: false,
        },
        ParkPlan {
            name_en: "Ji'an Jinggang Electronic Information Park",
            name_zh: "吉安井冈电子信息园",
            level: ProvincialDemonstrationPark,
            district: Jian,
            established: 2009,
            focus: &[SystemIntegration, SoftwareTesting, MedicalAndPharmaResearch],
            named_in_record: false,
        },
        ParkPlan {
            name_en: "Ji'an Luling Service Outsourcing Park",
            name_zh: "吉安庐陵服务外包园",
            level: ProvincialDemonstrationPark,
            district: Jian,
            established: 2012,
            focus: &[DataProcessing, HumanResources, SupplyChain],
            named_in_record: false,
        },
    ]
};

/// The leading companies of the public record: English, Chinese, lines, founded, employees in
/// 2013 and 2014, park index.
#[allow(clippy::type_complexity)]
const LEADING: &[(&str, &str, &[ServiceLine], i32, i64, i64, Option<usize>)] = {
    use ServiceLine::*;
    &[
        (
            "Tellhow Sci-Tech Co., Ltd.",
            "泰豪科技股份有限公司",
            &[SoftwareDevelopment, SystemIntegration, EngineeringDesign],
            1996,
            2_700,
            2_800,
            Some(0),
        ),
        (
            "Thinvent Digital Technology Co., Ltd.",
            "思创数码科技股份有限公司",
            &[SoftwareDevelopment, SystemIntegration, ItOperations],
            2000,
            1_500,
            1_600,
            Some(1),
        ),
        (
            "PioneerChina Software Co., Ltd.",
            "先锋软件股份有限公司",
            &[SoftwareDevelopment, SoftwareTesting, DataProcessing],
            2002,
            1_150,
            1_200,
            Some(3),
        ),
        (
            "Tenone Technology Co., Ltd.",
            "腾王科技有限公司",
            &[SoftwareDevelopment, DataAnalytics],
            2005,
            560,
            600,
            Some(0),
        ),
        (
            "K.T Cartoon Co., Ltd.",
            "开天动漫有限公司",
            &[AnimationAndCreativeDesign],
            2006,
            420,
            450,
            Some(3),
        ),
    ]
};

/// District shares of the generated companies, in per mille.
const DISTRICT_WEIGHTS: [(DistrictCode, u64); 11] = [
    (DistrictCode::Nanchang, 450),
    (DistrictCode::Jiujiang, 120),
    (DistrictCode::Ganzhou, 100),
    (DistrictCode::Jian, 80),
    (DistrictCode::Shangrao, 60),
    (DistrictCode::Yichun, 50),
    (DistrictCode::Fuzhou, 40),
    (DistrictCode::Pingxiang, 30),
    (DistrictCode::Jingdezhen, 30),
    (DistrictCode::Xinyu, 20),
    (DistrictCode::Yingtan, 20),
];

/// Fictional brand syllables for generated companies: English, Chinese.
pub const BRANDS: [(&str, &str); 40] = [
    ("Xinrui", "鑫瑞"),
    ("Huayu", "华宇"),
    ("Jinfeng", "金丰"),
    ("Ruixiang", "瑞祥"),
    ("Tianyi", "天翼"),
    ("Bochuang", "博创"),
    ("Zhiyuan", "致远"),
    ("Hengtong", "恒通"),
    ("Yunfan", "云帆"),
    ("Kaida", "凯达"),
    ("Mingde", "明德"),
    ("Shengtai", "盛泰"),
    ("Lianchuang", "联创"),
    ("Haoyun", "浩云"),
    ("Jiahe", "嘉禾"),
    ("Qixin", "启信"),
    ("Yuanhang", "远航"),
    ("Chenguang", "晨光"),
    ("Xinghe", "星河"),
    ("Weilan", "蔚蓝"),
    ("Zhongrui", "众瑞"),
    ("Dingsheng", "鼎盛"),
    ("Anyuan", "安远"),
    ("Huachen", "华辰"),
    ("Jingwei", "经纬"),
    ("Ruitai", "瑞泰"),
    ("Yinghe", "盈合"),
    ("Baixin", "百信"),
    ("Tongda", "通达"),
    ("Hongyu", "宏宇"),
    ("Lingyun", "凌云"),
    ("Xunjie", "迅捷"),
    ("Guanghui", "光辉"),
    ("Shuoxin", "硕鑫"),
    ("Yuefeng", "岳峰"),
    ("Kunpeng", "鲲鹏"),
    ("Jiuzhou", "九州"),
    ("Ruizhi", "睿智"),
    ("Fanxing", "繁星"),
    ("Qiming", "启明"),
];

/// A second word that widens the space of generated names: English, Chinese.
const QUALIFIERS: [(&str, &str); 12] = [
    ("Cloud", "云"),
    ("Smart", "智"),
    ("Bridge", "桥"),
    ("Star", "星"),
    ("Link", "联"),
    ("Net", "网"),
    ("Wise", "慧"),
    ("Sky", "天"),
    ("Harbour", "港"),
    ("Peak", "峰"),
    ("Bright", "明"),
    ("Grand", "宏"),
];

/// What a generated company's name says it does, by family: English, Chinese.
fn trade(line: ServiceLine) -> (&'static str, &'static str) {
    use ServiceLine::*;
    match line {
        SoftwareDevelopment | SoftwareTesting => ("Software", "软件"),
        ItOperations | SystemIntegration | InformationSecurity => {
            ("Information Technology", "信息技术")
        }
        DataProcessing | DataAnalytics => ("Data Services", "数据服务"),
        CallCentre => ("Customer Contact", "客户联络"),
        HumanResources => ("Human Resources Services", "人力资源服务"),
        FinanceAndAccounting => ("Financial Outsourcing", "财务外包"),
        SupplyChain => ("Supply Chain Services", "供应链服务"),
        ResearchAndDevelopment | MedicalAndPharmaResearch => ("R&D Services", "研发服务"),
        EngineeringDesign => ("Engineering Design", "工程设计"),
        AnimationAndCreativeDesign => ("Animation", "动漫"),
    }
}

/// Splits `total` in proportion to integer weights, exactly: floors first, then the largest
/// remainders get one more (ties to the earlier index).
pub fn allocate(total: i64, weights: &[u64]) -> Vec<i64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total = total as u128;
    let mut shares: Vec<i64> = weights
        .iter()
        .map(|&w| (total * u128::from(w) / sum) as i64)
        .collect();
    let mut remainders: Vec<(u128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| (total * u128::from(w) % sum, i))
        .collect();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let short = total as i64 - shares.iter().sum::<i64>();
    for &(_, i) in remainders.iter().take(short as usize) {
        shares[i] += 1;
    }
    shares
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        .unwrap_or_else(|| d + Duration::days(365 * i64::from(years)))
}

impl Plan {
    fn generate(today: NaiveDate) -> Plan {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let companies = generate_companies(&mut rng);
        let certifications = generate_certifications(&mut rng, &companies, today);
        let tenders = generate_tenders(&mut rng, today, 36);
        let alliances = generate_alliances(&companies);
        Plan {
            companies,
            certifications,
            tenders,
            alliances,
        }
    }
}

/// A generated company's service lines: one to three of a family (ITO most often, then BPO,
/// then KPO), sometimes one more of any family, in order.
fn draw_lines(rng: &mut ChaCha8Rng) -> Vec<ServiceLine> {
    let family = match rng.random_range(0..100) {
        0..55 => ServiceLineFamily::Ito,
        55..80 => ServiceLineFamily::Bpo,
        _ => ServiceLineFamily::Kpo,
    };
    let family_lines = family.lines();
    let mut lines: Vec<ServiceLine> = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        if let Some(&l) = family_lines.choose(rng)
            && !lines.contains(&l)
        {
            lines.push(l);
        }
    }
    if rng.random_range(0..100) < 15 {
        let extra = ServiceLine::ALL[rng.random_range(0..ServiceLine::ALL.len())];
        if !lines.contains(&extra) {
            lines.push(extra);
        }
    }
    lines.sort();
    lines
}

/// Service lines named for a description: in English and in Chinese.
fn line_names(lines: &[ServiceLine]) -> (String, String) {
    let en: Vec<&str> = lines.iter().map(|l| l.name_en()).collect();
    let zh: Vec<&str> = lines.iter().map(|l| l.name_zh()).collect();
    (en.join(", "), zh.join("、"))
}

fn generate_companies(rng: &mut ChaCha8Rng) -> Vec<CompanyPlan> {
    let [(y13, n13, e13, usd13, _), (y14, n14, e14, usd14, _)] = PUBLISHED;
    let mut companies = Vec::with_capacity(n14);
    let mut serial = 0u32;
    let mut uscc = |rng: &mut ChaCha8Rng, district: DistrictCode| -> String {
        serial += 1;
        let (_, _, division) = district.names();
        let organisation = format!("{:02}{:06}", rng.random_range(10..99), serial);
        Uscc::assemble("91", division, &organisation)
            .map(|u| u.to_string())
            .unwrap_or_default()
    };

    for &(en, zh, lines, founded, _, _, park) in LEADING {
        companies.push(CompanyPlan {
            uscc: uscc(rng, DistrictCode::Nanchang),
            name_en: en.into(),
            name_zh: zh.into(),
            district: DistrictCode::Nanchang,
            park,
            lines: lines.to_vec(),
            founded,
            leading: true,
            description: format!(
                "One of the leading service-outsourcing companies the province names, offering {}. Figures and codes in this demo are illustrative.",
                lines.iter().map(|l| l.name_en()).collect::<Vec<_>>().join(", ")
            ),
            description_zh: format!(
                "全省重点服务外包企业之一，业务涵盖{}。本演示数据中的数字与代码仅作示例。",
                lines.iter().map(|l| l.name_zh()).collect::<Vec<_>>().join("、")
            ),
            // The real companies' own sites and contacts are theirs to publish.
            website: None,
            figures: Vec::new(),
            offshore_share: 45,
        });
    }

    let district_weights: Vec<u64> = DISTRICT_WEIGHTS.iter().map(|&(_, w)| w).collect();
    let generated = n14 - LEADING.len();
    let per_district = allocate(generated as i64, &district_weights);
    let mut used_names = HashSet::new();
    for (&(district, _), &count) in DISTRICT_WEIGHTS.iter().zip(&per_district) {
        let parks: Vec<usize> = PARKS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.district == district)
            .map(|(i, _)| i)
            .collect();
        for _ in 0..count {
            let lines = draw_lines(rng);
            let (trade_en, trade_zh) = trade(lines[0]);
            let (city_en, city_zh, _) = district.names();
            let mut attempt = 0u32;
            let (name_en, name_zh) = loop {
                attempt += 1;
                let (brand_en, brand_zh) = BRANDS[rng.random_range(0..BRANDS.len())];
                let (word_en, word_zh) = QUALIFIERS[rng.random_range(0..QUALIFIERS.len())];
                // Past a few hundred collisions, a branch number keeps names unique.
                let branch = if attempt > 500 {
                    format!(" No. {attempt}")
                } else {
                    String::new()
                };
                let candidate = (
                    format!("{city_en} {brand_en} {word_en} {trade_en}{branch} Co., Ltd."),
                    format!(
                        "{city_zh}{brand_zh}{word_zh}{trade_zh}{}有限公司",
                        branch.trim_start()
                    ),
                );
                if used_names.insert(candidate.0.clone()) {
                    break candidate;
                }
            };
            let park = if !parks.is_empty() && rng.random_range(0..100) < 55 {
                parks.choose(rng).copied()
            } else {
                None
            };
            let (lines_en, lines_zh) = line_names(&lines);
            companies.push(CompanyPlan {
                uscc: uscc(rng, district),
                name_en,
                name_zh,
                district,
                park,
                lines,
                founded: 0,
                leading: false,
                description: format!(
                    "A fictional company of the Ganbridge demo dataset, based in {city_en}, offering {lines_en}."
                ),
                description_zh: format!("Ganbridge演示数据中的虚构企业，位于{city_zh}，业务涵盖{lines_zh}。"),
                website: None,
                figures: Vec::new(),
                offshore_share: rng.random_range(15..80),
            });
        }
    }

    // Which generated companies are new in 2014: the 163 of them that did not report for 2013.
    let newcomers = n14 - n13;
    let mut order: Vec<usize> = (LEADING.len()..companies.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let new_in_2014: HashSet<usize> = order[..newcomers].iter().copied().collect();
    for (i, c) in companies.iter_mut().enumerate().skip(LEADING.len()) {
        c.founded = if new_in_2014.contains(&i) {
            y14
        } else {
            rng.random_range(1998..=2012)
        };
        if c.founded < 2012 && rng.random_range(0..100) < 40 {
            // The reserved `.example` domain (RFC 2606): fictional firms get addresses that
            // can never reach a real one.
            c.website = Some(format!("https://company-{i:04}.example"));
        }
    }

    // Employees in 2014: the leading companies' own, the rest allocated by a heavy-tailed weight
    // over a floor of 8, young companies smaller.
    let leading_2014: i64 = LEADING.iter().map(|l| l.5).sum();
    let floor = 8i64;
    let weights_2014: Vec<u64> = companies[LEADING.len()..]
        .iter()
        .map(|c| {
            let u: f64 = rng.random();
            if c.founded == y14 {
                1 + (u * 30.0) as u64
            } else {
                5 + (u.powi(4) * 900.0) as u64
            }
        })
        .collect();
    let spare = e14 - leading_2014 - floor * generated as i64;
    let employees_2014: Vec<i64> = allocate(spare, &weights_2014)
        .into_iter()
        .map(|e| e + floor)
        .collect();

    // 2013: the continuing companies a little smaller, scaled to the published total exactly.
    let leading_2013: i64 = LEADING.iter().map(|l| l.4).sum();
    let continuing: Vec<usize> = (LEADING.len()..companies.len())
        .filter(|i| !new_in_2014.contains(i))
        .collect();
    let weights_2013: Vec<u64> = continuing
        .iter()
        .map(|&i| (employees_2014[i - LEADING.len()] as u64) * rng.random_range(85..=105))
        .collect();
    let employees_2013 = allocate(e13 - leading_2013, &weights_2013);

    let mut staff: HashMap<(usize, i32), i64> = HashMap::new();
    for (i, l) in LEADING.iter().enumerate() {
        staff.insert((i, y13), l.4);
        staff.insert((i, y14), l.5);
    }
    for (k, &e) in employees_2014.iter().enumerate() {
        staff.insert((LEADING.len() + k, y14), e);
    }
    for (k, &i) in continuing.iter().enumerate() {
        staff.insert((i, y13), employees_2013[k]);
    }

    // Contracts: employees times a productivity that differs by company, scaled exactly.
    let productivity: Vec<u64> = (0..companies.len())
        .map(|_| rng.random_range(60..=140))
        .collect();
    for (year, total) in [(y13, usd13), (y14, usd14)] {
        let reporting: Vec<usize> = (0..companies.len())
            .filter(|&i| staff.contains_key(&(i, year)))
            .collect();
        let weights: Vec<u64> = reporting
            .iter()
            .map(|&i| staff[&(i, year)] as u64 * productivity[i])
            .collect();
        let amounts = allocate(total, &weights);
        for (&i, &usd) in reporting.iter().zip(&amounts) {
            companies[i].figures.push((year, staff[&(i, year)], usd));
        }
    }
    debug_assert_eq!(
        companies
            .iter()
            .filter(|c| c.figures.iter().any(|f| f.0 == y13))
            .count(),
        n13
    );
    companies
}

/// How common each standard is among the province's certificates, in percent.
const STANDARD_WEIGHTS: [(CertificationStandard, u32); 11] = [
    (CertificationStandard::Iso9001, 30),
    (CertificationStandard::CmmiDev, 18),
    (CertificationStandard::IsoIec27001, 15),
    (CertificationStandard::IsoIec20000_1, 8),
    (CertificationStandard::Iso14001, 7),
    (CertificationStandard::CmmiSvc, 5),
    (CertificationStandard::Iso45001, 5),
    (CertificationStandard::PciDss, 3),
    (CertificationStandard::EscmSp, 3),
    (CertificationStandard::Copc, 3),
    (CertificationStandard::Soc2, 3),
];

/// A standard drawn by [`STANDARD_WEIGHTS`].
fn pick_standard(rng: &mut ChaCha8Rng) -> CertificationStandard {
    let mut roll = rng.random_range(0..100u32);
    for &(s, w) in &STANDARD_WEIGHTS {
        if roll < w {
            return s;
        }
        roll -= w;
    }
    CertificationStandard::Iso9001
}

/// Who issues a certificate of `standard`, who accredits that issuer, and where the record can
/// be checked.
fn issuer(
    standard: CertificationStandard,
    rng: &mut ChaCha8Rng,
) -> (&'static str, Option<&'static str>, &'static str) {
    use CertificationStandard::*;
    match standard {
        CmmiDev | CmmiSvc => (
            "CMMI Institute Certified Lead Appraiser",
            Some("CMMI Institute"),
            "CMMI Institute Published Appraisal Results",
        ),
        PciDss => (
            "Qualified Security Assessor",
            Some("PCI Security Standards Council"),
            "PCI SSC listing",
        ),
        EscmSp => (
            "ITSqc Authorized Lead Evaluator",
            Some("ITSqc"),
            "ITSqc certified organisations",
        ),
        Copc => ("COPC Inc.", None, "COPC certified organisations"),
        Soc2 => (
            "Independent CPA firm",
            Some("AICPA"),
            "SOC 2 Type II report on file",
        ),
        _ => (
            *[
                "China Quality Certification Centre",
                "SGS-CSTC Standards Technical Services",
                "Bureau Veritas Certification (Beijing)",
                "TÜV Rheinland (China)",
                "DNV Business Assurance (China)",
                "BSI Management Systems (Beijing)",
            ]
            .choose(rng)
            .unwrap_or(&"China Quality Certification Centre"),
            Some("CNAS"),
            "IAF CertSearch",
        ),
    }
}

fn generate_certifications(
    rng: &mut ChaCha8Rng,
    companies: &[CompanyPlan],
    today: NaiveDate,
) -> Vec<CertPlan> {
    use CertificationStandard::*;
    let [(y13, _, _, _, c13), (y14, _, _, _, c14)] = PUBLISHED;
    // Chains are drawn to a far horizon, independent of the day of loading, so the draws (and
    // the 2013/2014 figures) never change; certificates not yet issued today are dropped below.
    let horizon = date(2100, 12, 31);
    // Chains by first year: the record's 62 and 179, then newcomers every year after.
    let mut chain_starts: Vec<i32> = Vec::new();
    chain_starts.extend(std::iter::repeat_n(y13, c13));
    chain_starts.extend(std::iter::repeat_n(y14, c14));
    for year in 2015..=2025 {
        chain_starts.extend(std::iter::repeat_n(year, rng.random_range(20..45)));
    }
    // Leading companies hold their flagship certificates from the first years.
    let mut held: HashSet<(usize, CertificationStandard)> = HashSet::new();
    let mut certs = Vec::new();
    let mut number = 0u32;
    for (chain, &start) in chain_starts.iter().enumerate() {
        let (company, standard) = if chain < LEADING.len() * 2 {
            let company = chain / 2;
            let standard = if chain % 2 == 0 { CmmiDev } else { Iso9001 };
            (company, standard)
        } else {
            loop {
                let company = if rng.random_range(0..100) < 12 {
                    rng.random_range(0..LEADING.len())
                } else {
                    rng.random_range(0..companies.len())
                };
                let standard = pick_standard(rng);
                if companies[company].founded <= start && held.insert((company, standard)) {
                    break (company, standard);
                }
            }
        };
        held.insert((company, standard));
        let level = standard.has_maturity_level().then(|| {
            if companies[company].leading {
                rng.random_range(3..=5)
            } else {
                *[2i16, 3, 3, 3, 3, 4].choose(rng).unwrap_or(&3)
            }
        });
        let (body, accreditation, source) = issuer(standard, rng);
        let mut issue = date(start, rng.random_range(1..=12), rng.random_range(1..=28));
        loop {
            number += 1;
            let expiry = add_years(issue, 3) - Duration::days(1);
            let renewed = rng.random_range(0..100) < 78;
            let next_issue = expiry - Duration::days(rng.random_range(0..40));
            let last = !renewed || next_issue > horizon;
            let status = if last {
                match rng.random_range(0..100) {
                    0..3 => CertificationStatus::Suspended,
                    3..5 => CertificationStatus::Withdrawn,
                    _ => CertificationStatus::Active,
                }
            } else {
                CertificationStatus::Active
            };
            certs.push(CertPlan {
                company,
                standard,
                level,
                issue,
                expiry,
                status,
                number: format!(
                    "{}-{}-{:06}",
                    standard.label().replace([' ', '/'], ""),
                    issue.year(),
                    number
                ),
                body,
                accreditation,
                source,
            });
            if last {
                break;
            }
            issue = next_issue;
        }
    }
    certs.retain(|c| c.issue <= today);
    certs
}

struct TenderTemplate {
    title_en: &'static str,
    title_zh: &'static str,
    lines: &'static [ServiceLine],
}

const TENDER_TEMPLATES: &[TenderTemplate] = {
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

const COUNTERPARTS: &[(&str, &str, CounterpartKind, Option<&str>, &str)] = {
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
fn generate_tenders(rng: &mut ChaCha8Rng, today: NaiveDate, total: usize) -> Vec<TenderPlan> {
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

fn generate_alliances(companies: &[CompanyPlan]) -> Vec<AlliancePlan> {
    // Small firms around a larger lead, as the province's Enterprise Alliance intends.
    let by_line = |line: ServiceLine, skip: usize, take: usize| -> Vec<usize> {
        companies
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.leading && c.lines.contains(&line))
            .skip(skip)
            .take(take)
            .map(|(i, _)| i)
            .collect()
    };
    let mut alliances = Vec::new();
    let plans = [
        (
            "Nanchang Software Export Alliance",
            "南昌软件出口联盟",
            0usize,
            ServiceLine::SoftwareDevelopment,
            vec![5000, 3000, 2000],
        ),
        (
            "Jiangxi Contact Centre Alliance",
            "江西呼叫中心联盟",
            2,
            ServiceLine::CallCentre,
            vec![4000, 3500, 2500],
        ),
        (
            "Jiangxi Animation Co-production Alliance",
            "江西动漫联合制作联盟",
            4,
            ServiceLine::AnimationAndCreativeDesign,
            vec![6000, 4000],
        ),
        (
            "Poyang Data Services Alliance",
            "鄱阳数据服务联盟",
            usize::MAX,
            ServiceLine::DataProcessing,
            vec![4000, 3000, 2000, 1000],
        ),
    ];
    for (en, zh, lead, line, shares) in plans {
        let mut members = Vec::new();
        let others = by_line(line, 3, shares.len());
        let mut participants = Vec::new();
        if lead != usize::MAX {
            participants.push(lead);
        }
        participants.extend(others);
        for (company, share) in participants.into_iter().zip(shares) {
            members.push((company, share));
        }
        if members.len() >= 2 {
            alliances.push((en.to_owned(), zh.to_owned(), members));
        }
    }
    alliances
}

// ---------------------------------------------------------------------------------------------
// Writing the plan.

const CHUNK: usize = 400;

async fn insert_parks(
    txn: &DatabaseTransaction,
    districts: &HashMap<DistrictCode, i64>,
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for p in PARKS {
        let district = *districts
            .get(&p.district)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("district missing")))?;
        let policies = match p.level {
            ParkLevel::NationalDemonstrationCity => {
                "National and provincial service-outsourcing support funds; technologically advanced service enterprises pay enterprise income tax at 15%; training subsidies for new graduates hired."
            }
            _ => {
                "Provincial service-outsourcing support funds; rent subsidies for the first three years; training subsidies per graduate hired and trained."
            }
        };
        let description = if p.named_in_record {
            format!(
                "{}, one of the parks the province names in its service-outsourcing record.",
                p.name_en
            )
        } else {
            format!(
                "{}, an illustrative park of the Ganbridge demo dataset.",
                p.name_en
            )
        };
        let result = park::Entity::insert(park::ActiveModel {
            name_en: Set(p.name_en.into()),
            name_zh: Set(p.name_zh.into()),
            level: Set(p.level),
            district_id: Set(district),
            description: Set(description),
            preferential_policies: Set(policies.into()),
            website: Set(None),
            established_year: Set(Some(p.established)),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        let id = result.last_insert_id;
        park_focus_industry::Entity::insert_many(p.focus.iter().map(|&l| {
            park_focus_industry::ActiveModel {
                park_id: Set(id),
                service_line: Set(l),
            }
        }))
        .exec_without_returning(txn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

async fn insert_companies(
    txn: &DatabaseTransaction,
    plan: &Plan,
    districts: &HashMap<DistrictCode, i64>,
    parks: &[i64],
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    for chunk in plan.companies.chunks(CHUNK) {
        let rows = chunk.iter().map(|c| {
            let headcount = c
                .figures
                .iter()
                .max_by_key(|f| f.0)
                .map(|f| f.1)
                .unwrap_or(0);
            company::ActiveModel {
                uscc: Set(c.uscc.clone()),
                name_zh: Set(c.name_zh.clone()),
                name_en: Set(c.name_en.clone()),
                district_id: Set(districts.get(&c.district).copied().unwrap_or_default()),
                park_id: Set(c.park.and_then(|p| parks.get(p).copied())),
                headcount: Set(headcount as i32),
                founded_year: Set(c.founded),
                description: Set(c.description.clone()),
                description_zh: Set(c.description_zh.clone()),
                website: Set(c.website.clone()),
                contact_email: Set(c
                    .website
                    .as_ref()
                    .map(|w| format!("contact@{}", w.trim_start_matches("https://www.")))),
                contact_phone: Set(None),
                leading: Set(c.leading),
                service_line_mask: Set(crate::services::company::line_mask(
                    c.lines.iter().copied(),
                )),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
        });
        company::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    let ids: HashMap<String, i64> = company::Entity::find()
        .select_only()
        .column(company::Column::Uscc)
        .column(company::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let company_ids: Vec<i64> = plan
        .companies
        .iter()
        .map(|c| ids.get(&c.uscc).copied().unwrap_or_default())
        .collect();

    let lines: Vec<company_service_line::ActiveModel> = plan
        .companies
        .iter()
        .zip(&company_ids)
        .flat_map(|(c, &id)| {
            c.lines
                .iter()
                .map(move |&l| company_service_line::ActiveModel {
                    company_id: Set(id),
                    service_line: Set(l),
                })
        })
        .collect();
    for chunk in lines.chunks(CHUNK * 2) {
        company_service_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let figures: Vec<company_figures::ActiveModel> = plan
        .companies
        .iter()
        .zip(&company_ids)
        .flat_map(|(c, &id)| {
            c.figures.iter().map(move |&(year, employees, usd)| {
                let contract = usd * 100;
                let offshore = contract * i64::from(c.offshore_share) / 100;
                let executed = contract * 9 / 10;
                company_figures::ActiveModel {
                    company_id: Set(id),
                    year: Set(year),
                    contract_amount_usd_cents: Set(contract),
                    contract_offshore_usd_cents: Set(offshore),
                    executed_amount_usd_cents: Set(executed),
                    executed_offshore_usd_cents: Set(executed * i64::from(c.offshore_share) / 100),
                    employees: Set(employees as i32),
                }
            })
        })
        .collect();
    for chunk in figures.chunks(CHUNK) {
        company_figures::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(company_ids)
}

async fn insert_certifications(
    txn: &DatabaseTransaction,
    plan: &Plan,
    company_ids: &[i64],
) -> AppResult<()> {
    let rows: Vec<certification::ActiveModel> = plan
        .certifications
        .iter()
        .map(|c| {
            let verified_at = Utc.from_utc_datetime(
                &(c.issue + Duration::days(21))
                    .and_hms_opt(10, 0, 0)
                    .unwrap_or_default(),
            );
            certification::ActiveModel {
                company_id: Set(company_ids[c.company]),
                standard: Set(c.standard),
                maturity_level: Set(c.level),
                certificate_number: Set(c.number.clone()),
                certification_body: Set(c.body.into()),
                accreditation_body: Set(c.accreditation.map(Into::into)),
                scope: Set(format!(
                    "{} of service-outsourcing operations",
                    c.standard.label()
                )),
                issue_date: Set(c.issue),
                expiry_date: Set(c.expiry),
                status: Set(c.status),
                verification: Set(VerificationStatus::Verified),
                verification_source: Set(Some(c.source.into())),
                verified_by: Set(Some("Jiangxi Provincial Department of Commerce".into())),
                verified_at: Set(Some(verified_at)),
                created_at: Set(verified_at),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        certification::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

async fn insert_counterparts(
    txn: &DatabaseTransaction,
    ftz: &HashMap<String, i64>,
    created: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for (i, &(en, zh, kind, area, city)) in COUNTERPARTS.iter().enumerate() {
        let area_name = area
            .and_then(|a| FTZ_AREAS.iter().find(|f| f.0 == a))
            .map(|f| f.1);
        let description = match area_name {
            Some(area) => format!(
                "A fictional enterprise of the Ganbridge demo dataset, registered in the {area} of the China (Shanghai) Pilot Free Trade Zone."
            ),
            None => {
                format!("A fictional enterprise of the Ganbridge demo dataset, based in {city}.")
            }
        };
        let uscc = (city == "Shanghai" || city == "Hangzhou")
            .then(|| {
                let division = if city == "Shanghai" {
                    "310115"
                } else {
                    "330106"
                };
                Uscc::assemble("91", division, &format!("7{:07}", 3100 + i))
                    .ok()
                    .map(|u| u.to_string())
            })
            .flatten();
        let result = counterpart::Entity::insert(counterpart::ActiveModel {
            name_en: Set(en.into()),
            name_zh: Set(zh.into()),
            kind: Set(kind),
            ftz_area_id: Set(area.and_then(|a| ftz.get(a).copied())),
            city: Set(city.into()),
            uscc: Set(uscc),
            description: Set(description),
            website: Set(None),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        ids.push(result.last_insert_id);
    }
    Ok(ids)
}

async fn insert_tenders(
    txn: &DatabaseTransaction,
    plan: &Plan,
    counterparts: &[i64],
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::with_capacity(plan.tenders.len());
    for (i, t) in plan.tenders.iter().enumerate() {
        let template = &TENDER_TEMPLATES[t.template];
        let buyer = COUNTERPARTS[t.counterpart].0;
        let result = tender::Entity::insert(tender::ActiveModel {
            ocid: Set(format!("ocds-gnbrdg-{:06}", i + 1)),
            title_en: Set(template.title_en.into()),
            title_zh: Set(template.title_zh.into()),
            description_en: Set(format!(
                "{buyer} seeks a service provider: {}. An illustrative tender of the Ganbridge demo dataset.",
                template.title_en.to_lowercase()
            )),
            description_zh: Set(format!("{}。Ganbridge演示数据中的示例招标。", template.title_zh)),
            counterpart_id: Set(counterparts[t.counterpart]),
            status: Set(t.status),
            value_amount_minor: Set(t.value.map(|v| v.0)),
            value_currency: Set(t.value.map(|v| v.1.to_owned())),
            tender_period_start: Set(t.start),
            tender_period_end: Set(t.end),
            min_employees: Set(t.min_employees),
            published_at: Set((t.status != TenderStatus::Planning).then_some(t.start)),
            created_at: Set(t.start - Duration::days(3)),
            updated_at: Set(t.start - Duration::days(3)),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        let id = result.last_insert_id;
        ids.push(id);
        tender_service_line::Entity::insert_many(template.lines.iter().map(|&l| {
            tender_service_line::ActiveModel {
                tender_id: Set(id),
                service_line: Set(l),
            }
        }))
        .exec_without_returning(txn)
        .await?;
        if !t.required.is_empty() {
            tender_required_certification::Entity::insert_many(t.required.iter().map(|&s| {
                tender_required_certification::ActiveModel {
                    tender_id: Set(id),
                    standard: Set(s),
                }
            }))
            .exec_without_returning(txn)
            .await?;
        }
    }
    Ok(ids)
}

async fn insert_alliances(
    txn: &DatabaseTransaction,
    plan: &Plan,
    company_ids: &[i64],
    created: DateTime<Utc>,
) -> AppResult<()> {
    for (en, zh, members) in &plan.alliances {
        let lead = members[0].0;
        let result = alliance::Entity::insert(alliance::ActiveModel {
            name_en: Set(en.clone()),
            name_zh: Set(zh.clone()),
            lead_company_id: Set(company_ids[lead]),
            created_at: Set(created),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        alliance_member::Entity::insert_many(members.iter().map(|&(company, share)| {
            alliance_member::ActiveModel {
                alliance_id: Set(result.last_insert_id),
                company_id: Set(company_ids[company]),
                share_basis_points: Set(share),
                accepted_at: Set(Some(created)),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_proportional() {
        let shares = allocate(100, &[1, 1, 1]);
        assert_eq!(shares, vec![34, 33, 33]);
        assert_eq!(
            allocate(1_417_000_000, &[3, 5, 7, 11]).iter().sum::<i64>(),
            1_417_000_000
        );
    }

    #[test]
    fn the_plan_reproduces_the_published_figures() {
        let plan = Plan::generate(date(2026, 11, 26));
        for (year, companies, employees, usd, certificates) in PUBLISHED {
            let reporting: Vec<_> = plan
                .companies
                .iter()
                .filter_map(|c| c.figures.iter().find(|f| f.0 == year))
                .collect();
            assert_eq!(reporting.len(), companies);
            assert_eq!(reporting.iter().map(|f| f.1).sum::<i64>(), employees);
            assert_eq!(reporting.iter().map(|f| f.2).sum::<i64>(), usd);
            assert_eq!(
                plan.certifications
                    .iter()
                    .filter(|c| c.issue.year() == year)
                    .count(),
                certificates
            );
        }
        let codes: HashSet<_> = plan.companies.iter().map(|c| c.uscc.clone()).collect();
        assert_eq!(codes.len(), plan.companies.len());
        assert!(codes.iter().all(|c| Uscc::parse(c).is_ok()));
    }
}
