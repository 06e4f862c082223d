//! The public-record tables of the demo: the published figures it reproduces, the parks and the
//! leading companies the province names, and the districts' shares of the generated companies.

use crate::domain::{DistrictCode, ParkLevel, ServiceLine};

/// The published figures the dataset reproduces: (year, companies, employees, USD contracted,
/// new international certificates).
pub const PUBLISHED: [(i32, usize, i64, i64, usize); 2] = [
    (2013, 893, 108_098, 1_383_113_714, 62),
    (2014, 1_056, 116_000, 1_417_000_000, 179),
];

/// The year of the Opinions (the interview that made them public: June 2015): their targets
/// hold from then.
pub const OPINIONS_YEAR: i32 = 2015;

/// The Opinions' targets: (figure, level to exceed, yearly growth in hundredths of a percent).
pub const OPINIONS_TARGETS: [(&str, i64, i64); 2] =
    [("companies", 3_000, 2_500), ("employees", 300_000, 2_000)];

pub(super) struct ParkPlan {
    pub(super) name_en: &'static str,
    pub(super) name_zh: &'static str,
    pub(super) level: ParkLevel,
    pub(super) district: DistrictCode,
    pub(super) established: i32,
    pub(super) focus: &'static [ServiceLine],
    pub(super) named_in_record: bool,
}

pub(super) const PARKS: &[ParkPlan] = {
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
pub(super) const LEADING: &[(&str, &str, &[ServiceLine], i32, i64, i64, Option<usize>)] = {
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
pub(super) const DISTRICT_WEIGHTS: [(DistrictCode, u64); 11] = [
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
