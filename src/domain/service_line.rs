//! Service lines, grouped in the industry's three families (ITO, BPO, KPO).

use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// The three families of service outsourcing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum ServiceLineFamily {
    /// Information technology outsourcing (信息技术外包).
    Ito,
    /// Business process outsourcing (业务流程外包).
    Bpo,
    /// Knowledge process outsourcing (知识流程外包).
    Kpo,
}

/// A line of service a company offers or a tender asks for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum ServiceLine {
    /// ITO: software development (软件开发).
    #[sea_orm(string_value = "software_development")]
    SoftwareDevelopment,
    /// ITO: IT operations and maintenance (信息技术运营和维护).
    #[sea_orm(string_value = "it_operations")]
    ItOperations,
    /// ITO: system integration (系统集成).
    #[sea_orm(string_value = "system_integration")]
    SystemIntegration,
    /// ITO: software testing (软件测试).
    #[sea_orm(string_value = "software_testing")]
    SoftwareTesting,
    /// ITO: information security services (信息安全服务).
    #[sea_orm(string_value = "information_security")]
    InformationSecurity,
    /// BPO: data processing (数据处理).
    #[sea_orm(string_value = "data_processing")]
    DataProcessing,
    /// BPO: call centres (呼叫中心).
    #[sea_orm(string_value = "call_centre")]
    CallCentre,
    /// BPO: human resources services (人力资源服务).
    #[sea_orm(string_value = "human_resources")]
    HumanResources,
    /// BPO: finance and accounting back office (财务与会计).
    #[sea_orm(string_value = "finance_and_accounting")]
    FinanceAndAccounting,
    /// BPO: supply-chain services (供应链管理服务).
    #[sea_orm(string_value = "supply_chain")]
    SupplyChain,
    /// KPO: research and development (研发服务).
    #[sea_orm(string_value = "research_and_development")]
    ResearchAndDevelopment,
    /// KPO: engineering design (工程设计).
    #[sea_orm(string_value = "engineering_design")]
    EngineeringDesign,
    /// KPO: data analytics (数据分析).
    #[sea_orm(string_value = "data_analytics")]
    DataAnalytics,
    /// KPO: animation and creative design (动漫及创意设计).
    #[sea_orm(string_value = "animation_and_creative_design")]
    AnimationAndCreativeDesign,
    /// KPO: medical and pharmaceutical R&D (医药研发).
    #[sea_orm(string_value = "medical_and_pharma_research")]
    MedicalAndPharmaResearch,
}

impl ServiceLine {
    pub const ALL: [ServiceLine; 15] = [
        Self::SoftwareDevelopment,
        Self::ItOperations,
        Self::SystemIntegration,
        Self::SoftwareTesting,
        Self::InformationSecurity,
        Self::DataProcessing,
        Self::CallCentre,
        Self::HumanResources,
        Self::FinanceAndAccounting,
        Self::SupplyChain,
        Self::ResearchAndDevelopment,
        Self::EngineeringDesign,
        Self::DataAnalytics,
        Self::AnimationAndCreativeDesign,
        Self::MedicalAndPharmaResearch,
    ];

    pub fn family(self) -> ServiceLineFamily {
        use ServiceLine::*;
        match self {
            SoftwareDevelopment | ItOperations | SystemIntegration | SoftwareTesting
            | InformationSecurity => ServiceLineFamily::Ito,
            DataProcessing | CallCentre | HumanResources | FinanceAndAccounting | SupplyChain => {
                ServiceLineFamily::Bpo
            }
            ResearchAndDevelopment
            | EngineeringDesign
            | DataAnalytics
            | AnimationAndCreativeDesign
            | MedicalAndPharmaResearch => ServiceLineFamily::Kpo,
        }
    }

    pub fn name_en(self) -> &'static str {
        use ServiceLine::*;
        match self {
            SoftwareDevelopment => "software development",
            ItOperations => "IT operations",
            SystemIntegration => "system integration",
            SoftwareTesting => "software testing",
            InformationSecurity => "information security",
            DataProcessing => "data processing",
            CallCentre => "call centre",
            HumanResources => "human resources",
            FinanceAndAccounting => "finance and accounting",
            SupplyChain => "supply-chain services",
            ResearchAndDevelopment => "research and development",
            EngineeringDesign => "engineering design",
            DataAnalytics => "data analytics",
            AnimationAndCreativeDesign => "animation and creative design",
            MedicalAndPharmaResearch => "medical and pharmaceutical R&D",
        }
    }

    pub fn name_zh(self) -> &'static str {
        use ServiceLine::*;
        match self {
            SoftwareDevelopment => "软件开发",
            ItOperations => "信息技术运维",
            SystemIntegration => "系统集成",
            SoftwareTesting => "软件测试",
            InformationSecurity => "信息安全服务",
            DataProcessing => "数据处理",
            CallCentre => "呼叫中心",
            HumanResources => "人力资源服务",
            FinanceAndAccounting => "财务会计",
            SupplyChain => "供应链服务",
            ResearchAndDevelopment => "研发服务",
            EngineeringDesign => "工程设计",
            DataAnalytics => "数据分析",
            AnimationAndCreativeDesign => "动漫创意设计",
            MedicalAndPharmaResearch => "医药研发",
        }
    }
}

impl ServiceLineFamily {
    pub const ALL: [ServiceLineFamily; 3] = [Self::Ito, Self::Bpo, Self::Kpo];

    /// The family's names: abbreviation, English, Chinese.
    pub fn names(self) -> [&'static str; 3] {
        match self {
            Self::Ito => ["ITO", "information technology outsourcing", "信息技术外包"],
            Self::Bpo => ["BPO", "business process outsourcing", "业务流程外包"],
            Self::Kpo => ["KPO", "knowledge process outsourcing", "知识流程外包"],
        }
    }

    pub fn lines(self) -> Vec<ServiceLine> {
        ServiceLine::ALL
            .into_iter()
            .filter(|l| l.family() == self)
            .collect()
    }
}
